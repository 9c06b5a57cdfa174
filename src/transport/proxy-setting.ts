/** Which forward proxy the environment or the `proxy` option names for the API base URL: pure, so
 * that the configuration loads where there is no Node HTTP stack (edge.ts). */

/** The proxy to send through, and where it was configured (for messages). */
export interface ProxySetting {
  /** The proxy URL, credentials included. */
  readonly url: string;
  readonly source: string;
}

/**
 * The proxy URL as written, validated: `http://` is assumed without a scheme (as curl does);
 * http and https proxies only. Throws a TypeError naming `door` and `name`, never echoing credentials.
 */
export function parseProxyUrl(value: string, name: string, door: string): string {
  const text = value.includes('://') ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${door}: ${name} is not a valid proxy URL: ${JSON.stringify(withoutCredentials(value))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${door}: ${name} must be an http(s) proxy, got ${url.protocol}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new TypeError(`${door}: ${name} must be a proxy's scheme, host and port, got a path, query or fragment`);
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
 * first), unless the target is loopback or `no_proxy`/`NO_PROXY` matches it. Throws a TypeError naming `door` and
 * the variable when its value is unusable.
 */
export function proxyFromEnvironment(target: URL, env: NodeJS.ProcessEnv, door: string): ProxySetting | undefined {
  // A loopback base URL is a local Opper or bridge: no proxy would reach it (as Go decides too).
  if (isLoopback(bare(target.hostname))) return undefined;
  const scheme = target.protocol === 'https:' ? 'https' : 'http';
  const name = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`].find((key) => env[key]?.trim());
  if (name === undefined) return undefined;
  const noProxy = env.no_proxy?.trim() ? env.no_proxy : env.NO_PROXY;
  if (noProxy !== undefined && noProxyMatches(noProxy, target)) return undefined;
  return { url: parseProxyUrl(env[name]!.trim(), name, door), source: name };
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
