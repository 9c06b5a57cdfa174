import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Got } from 'got';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { proxyAgents, proxyFailure, proxyHost } from './proxy.js';

export interface HttpClientOptions {
  baseUrl: string;
  apiKey: string;
  headers: Readonly<Record<string, string>>;
  userAgent: string;
  /** Sockets per host; matched to the request concurrency so requests never queue in the agent. */
  maxSockets: number;
  /** Forward proxy URL (credentials included) every request goes through; none: direct. */
  proxy?: string | undefined;
  /** Called when a request failed at the proxy (refused, unresolvable, 407...), with why. */
  onProxyFailure?: ((reason: string) => void) | undefined;
}

export interface HttpResponse {
  status: number;
  /** The `Retry-After` header, when the server sent one. */
  retryAfter?: string;
  /** The `Content-Type` header; a 2xx that is not JSON did not come from Opper. */
  contentType?: string;
  /** The `Location` header of a redirect (never followed: it is reported as a misconfiguration). */
  location?: string;
  body: string;
}

/** A request that got no HTTP answer: reset, refused, timed out, DNS failure... */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One keep-alive HTTP client for the Opper API. got and node:http are loaded on the first
 * request, never at import, so an app that registers instrumentation-http after importing the
 * exporter still gets its own HTTP spans.
 */
export class HttpClient {
  private client?: Promise<{ got: Got; agents: [HttpAgent, HttpsAgent] }>;
  private closed = false;

  constructor(private readonly options: HttpClientOptions) {}

  /** Sends one JSON request (a GET without body); resolves with any HTTP status, rejects only with NetworkError. */
  async request(method: 'GET' | 'POST' | 'PATCH', path: string, body: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<HttpResponse> {
    const { got } = await (this.client ??= this.load());
    // The exporter's own requests must never become spans (they would be exported in turn).
    return context.with(suppressTracing(context.active()), async () => {
      try {
        const response = await got(path, { method, body, timeout: { request: timeoutMs }, signal });
        const { 'retry-after': retryAfter, 'content-type': contentType, location } = response.headers;
        return { status: response.statusCode, retryAfter, contentType, location, body: response.body };
      } catch (error) {
        throw this.proxyError(error) ?? toNetworkError(error);
      }
    });
  }

  /** A failure at the proxy, reported and given the code `ERR_PROXY`; else undefined. */
  private proxyError(error: unknown): NetworkError | undefined {
    const { proxy, onProxyFailure } = this.options;
    const reason = proxy === undefined ? undefined : proxyFailure(error, proxy);
    if (reason === undefined) return undefined;
    onProxyFailure?.(reason);
    return new NetworkError('ERR_PROXY', `the proxy ${proxyHost(proxy!)} ${reason}`);
  }

  /** Destroys the keep-alive sockets; call once nothing is in flight. */
  close(): void {
    this.closed = true;
    void this.client?.then(
      ({ agents }) => agents.forEach((agent) => agent.destroy()),
      () => undefined, // got never loaded: nothing to close
    );
  }

  private async load() {
    const [{ got }, http, https] = await Promise.all([import('got'), import('node:http'), import('node:https')]);
    const agentOptions = { keepAlive: true as const, maxSockets: this.options.maxSockets, maxFreeSockets: this.options.maxSockets };
    const { proxy } = this.options;
    const agents: [HttpAgent, HttpsAgent] =
      proxy === undefined ? [new http.Agent(agentOptions), new https.Agent(agentOptions)] : await proxyAgents(proxy, agentOptions);
    if (this.closed) agents.forEach((agent) => agent.destroy());
    const { baseUrl, apiKey, headers, userAgent } = this.options;
    const client = got.extend({
      prefixUrl: baseUrl,
      headers: { ...headers, 'user-agent': userAgent, authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      agent: { http: agents[0], https: agents[1] },
      // Retries, their backoff and their deadline belong to the sender, which sees the whole export.
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      // Response bodies are small and only read for error messages: not worth a decompressor.
      decompress: false,
      responseType: 'text',
    });
    return { got: client, agents };
  }
}

function toNetworkError(error: unknown): NetworkError {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new NetworkError(typeof code === 'string' ? code : 'ERR_NETWORK', message);
}
