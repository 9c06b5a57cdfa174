/**
 * Forward proxies: their keep-alive agents, and which failures are the proxy's (which proxy the
 * environment or the `proxy` option names: proxy-setting.ts). The agent library (hpagent) is loaded
 * only once a proxy is in use.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

export { isLoopback, noProxyMatches, parseProxyUrl, proxyFromEnvironment, proxyHost, type ProxySetting } from './proxy-setting.js';

export interface AgentOptions {
  keepAlive: true;
  maxSockets: number;
  maxFreeSockets: number;
}

/** Keep-alive agents that reach every target through a CONNECT tunnel of `proxyUrl`. */
export async function proxyAgents(proxyUrl: string, options: AgentOptions): Promise<[HttpAgent, HttpsAgent]> {
  const { HttpProxyAgent, HttpsProxyAgent } = await import('hpagent');
  return [new HttpProxyAgent({ ...options, proxy: proxyUrl }), new HttpsProxyAgent({ ...options, proxy: proxyUrl })];
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
  // hpagent's words when the proxy answers CONNECT with anything but 200.
  const status = /Bad response: (\d{3})/.exec(error instanceof Error ? error.message : '')?.[1];
  if (status === undefined) return undefined;
  if (status !== '407') return `refused the tunnel to Opper (HTTP ${status})`;
  const url = new URL(proxyUrl);
  return url.username || url.password
    ? 'rejected the credentials in the proxy URL (HTTP 407)'
    : 'asks for credentials (HTTP 407); put them in the proxy URL (http://user:password@host:port)';
}
