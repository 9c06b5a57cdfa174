/**
 * Forward proxies: their keep-alive dispatcher (undici's ProxyAgent, loaded only once a proxy is
 * in use), and which failures are the proxy's. Which proxy applies is read in proxy-setting.ts,
 * by the README's rules rather than undici's EnvHttpProxyAgent's, which proxies loopback, sends
 * https through HTTP_PROXY when HTTPS_PROXY is unset, and lets an empty lower-case variable hide
 * the upper-case one.
 */
import type { Dispatcher } from 'undici';

export { isLoopback, noProxyMatches, parseProxyUrl, proxyFromEnvironment, proxyHost, type ProxySetting } from './proxy-setting.js';

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
