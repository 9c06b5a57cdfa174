/**
 * Forward proxies: which one the environment or the `proxy` option names for the API base URL, its
 * keep-alive dispatcher (undici's ProxyAgent, loaded only once a proxy is in use), and which
 * failures are the proxy's. The environment is read here rather than by undici's
 * EnvHttpProxyAgent, whose rules differ from the README's: it proxies loopback, sends https
 * through HTTP_PROXY when HTTPS_PROXY is unset, and lets an empty lower-case variable hide the
 * upper-case one.
 */
import type { Dispatcher } from 'undici';

/** The proxy to send through, and where it was configured (for messages). */
export interface ProxySetting {
  /** The proxy URL, credentials included. */
  readonly url: string;
  readonly source: string;
}

/**
 * The proxy URL as written, validated: `http://` is assumed without a scheme (as curl does);
 * http and https proxies only. Throws a TypeError naming `name`, never echoing credentials.
 */
export function parseProxyUrl(value: string, name: string): string {
  const text = value.includes('://') ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`OpperSpanExporter: ${name} is not a valid proxy URL: ${JSON.stringify(withoutCredentials(value))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`OpperSpanExporter: ${name} must be an http(s) proxy, got ${url.protocol}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new TypeError(`OpperSpanExporter: ${name} must be a proxy's scheme, host and port, got a path, query or fragment`);
  }
  return url.href;
}

/** The proxy as messages show it: scheme, host and port, never credentials. */
export function proxyHost(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  return `${url.protocol}//${url.host}`;
}

/** Hides `user:password@` in a string that may not parse as a URL. */
function withoutCredentials(value: string): string {
  return value.replace(/^([^/]*\/\/)?[^/@]*@/, (_match, scheme: string | undefined) => `${scheme ?? ''}[REDACTED]@`);
}

/**
 * The proxy the environment names for `target`, as curl and most Node tooling read it:
 * `https_proxy`/`HTTPS_PROXY` for an https target, `http_proxy`/`HTTP_PROXY` for http (lower case
 * first), unless the target is loopback or `no_proxy`/`NO_PROXY` matches it. Throws a TypeError naming the variable
 * when its value is unusable.
 */
export function proxyFromEnvironment(target: URL, env: NodeJS.ProcessEnv): ProxySetting | undefined {
  // A loopback base URL is a local Opper or bridge: no proxy would reach it (as Go decides too).
  if (isLoopback(bare(target.hostname))) return undefined;
  const scheme = target.protocol === 'https:' ? 'https' : 'http';
  const name = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`].find((key) => env[key]?.trim());
  if (name === undefined) return undefined;
  const noProxy = env.no_proxy?.trim() ? env.no_proxy : env.NO_PROXY;
  if (noProxy !== undefined && noProxyMatches(noProxy, target)) return undefined;
  return { url: parseProxyUrl(env[name]!.trim(), name), source: name };
}

/**
 * Whether a NO_PROXY list names `target`: entries split by commas or spaces, case-insensitive;
 * `*` matches every host; `example.com`, `.example.com` and `*.example.com` match the domain and
 * its subdomains; an IP matches itself; `host:port` only that port.
 */
export function noProxyMatches(list: string, target: URL): boolean {
  const host = bare(target.hostname.toLowerCase());
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  return list
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      // `host:port` or `[v6]:port`; a bare IPv6 address has no port.
      const [, name = entry, entryPort] = /^(\[.*\]|[^:]*)(?::(\d+))?$/.exec(entry) ?? [];
      if (entryPort !== undefined && Number(entryPort) !== port) return false;
      const domain = bare(name).replace(/^\*?\./, '');
      return host === domain || host.endsWith(`.${domain}`);
    });
}

/** Whether `host` (a name or an IP, without brackets) is this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function bare(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/**
 * A keep-alive dispatcher that reaches every target, http or https, through a CONNECT tunnel of
 * `proxyUrl`. Credentials in the URL become a Basic Proxy-Authorization, a user without a
 * password included.
 */
export async function proxyDispatcher(proxyUrl: string, connections: number): Promise<Dispatcher> {
  const { ProxyAgent } = await import('undici');
  const url = new URL(proxyUrl);
  const credentials = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  url.username = '';
  url.password = '';
  const token = credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`;
  return new ProxyAgent({ uri: url.href, token, connections });
}

/** Failures only a proxy can cause, once every connection goes to it: why, for a message. */
const PROXY_ERROR_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused the connection',
  ENOTFOUND: 'could not be resolved',
  EAI_AGAIN: 'could not be resolved',
  EHOSTUNREACH: 'is unreachable',
  ENETUNREACH: 'is unreachable',
};

/** Why a request failed at the proxy (connecting to it, or its answer to CONNECT); else undefined. */
export function proxyFailure(error: unknown, proxyUrl: string): string | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && code in PROXY_ERROR_CODES) return `${PROXY_ERROR_CODES[code]} (${code})`;
  // undici's words when the proxy answers CONNECT with anything but 200.
  const status = /Proxy response \((\d{3})\)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (status === undefined) return undefined;
  if (status !== '407') return `refused the tunnel to Opper (HTTP ${status})`;
  const url = new URL(proxyUrl);
  return url.username || url.password
    ? 'rejected the credentials in the proxy URL (HTTP 407)'
    : 'asks for credentials (HTTP 407); put them in the proxy URL (http://user:password@host:port)';
}
