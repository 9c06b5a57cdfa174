import type { Dispatcher } from 'undici';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { FetchClient } from './fetch-client.js';
import { proxyDispatcher, proxyFailure, proxyHost } from './proxy.js';

/** Bun answers `import('undici')` with a module of its own that cannot dispatch, and Deno's first
 * load of it in a worker can hang: there, the runtime's own fetch carries the requests (its own
 * proxy settings apply). */
const RUNTIME_FETCH = typeof process !== 'undefined' && (process.versions.bun !== undefined || process.versions.deno !== undefined);

/** Loads the HTTP client library ahead of the first request (the delivery worker does, at start). */
export async function preloadClient(): Promise<void> {
  if (!RUNTIME_FETCH) await import('undici').catch(() => undefined);
}

export interface HttpClientOptions {
  baseUrl: string;
  apiKey: string;
  headers: Readonly<Record<string, string>>;
  userAgent: string;
  /** Keep-alive connections to Opper at most: the bound of the requests in flight, so none waits
   * in the client for a connection. */
  maxConnections: number;
  /** Forward proxy URL (credentials included) every request goes through; none: direct. */
  proxy?: string | undefined;
  /** Called when a request failed at the proxy (refused, unresolvable, 407...), with why. */
  onProxyFailure?: ((reason: string) => void) | undefined;
}

export interface HttpResponse {
  status: number;
  /** The `Retry-After` header, when the server sent one. */
  retryAfter?: string | undefined;
  /** The `Content-Type` header; a 2xx that is not JSON did not come from Opper. */
  contentType?: string | undefined;
  /** The `Location` header of a redirect (never followed: it is reported as a misconfiguration). */
  location?: string | undefined;
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
 * One keep-alive HTTP client for the Opper API, on undici (measured about a quarter of got's CPU
 * per request: `npm run bench`, rows 2). undici is loaded on the first request, never at import,
 * so an app that registers its HTTP instrumentation after importing the exporter still gets its
 * own HTTP spans. Redirects are not followed and bodies are not decompressed (undici's defaults).
 */
export class HttpClient {
  private dispatcher?: Promise<Dispatcher>;
  private fetch?: FetchClient;
  private closed = false;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.prefix = `${url.pathname.replace(/\/+$/, '')}/`;
    const { headers, userAgent, apiKey } = options;
    this.headers = { ...headers, 'user-agent': userAgent, authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  }

  /** Sends one JSON request (a GET without body); resolves with any HTTP status, rejects only with
   * NetworkError. `timeoutMs` bounds the wait for the answer's headers and then for its body. */
  async request(method: 'GET' | 'POST' | 'PATCH', path: string, body: string | undefined, timeoutMs: number): Promise<HttpResponse> {
    if (RUNTIME_FETCH) return (this.fetch ??= new FetchClient(this.options)).request(method, path, body, timeoutMs);
    const dispatcher = await (this.dispatcher ??= this.load());
    try {
      // The exporter's own requests must never become spans (they would be exported in turn):
      // undici's instrumentation reads the context when the request is created, synchronously here.
      return await context.with(suppressTracing(context.active()), () => this.dispatch(dispatcher, method, path, body, timeoutMs));
    } catch (error) {
      throw this.proxyError(error) ?? toNetworkError(error, timeoutMs);
    }
  }

  /** One request through undici's dispatch API: a fifth less CPU than its request(), which wraps
   * every answer in a stream (measured: 67 against 85 µs per request). */
  private dispatch(
    dispatcher: Dispatcher,
    method: string,
    path: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      let response: Omit<HttpResponse, 'body'> = { status: 0 };
      const chunks: Buffer[] = [];
      const options = {
        origin: this.origin,
        path: this.prefix + path,
        method: method as Dispatcher.HttpMethod,
        headers: this.headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      };
      dispatcher.dispatch(options, {
        // Its presence tells undici this handler speaks its current API.
        onRequestStart() {},
        onResponseStart(_controller, status, headers) {
          response = {
            status,
            retryAfter: header(headers['retry-after']),
            contentType: header(headers['content-type']),
            location: header(headers.location),
          };
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          resolve({ ...response, body: Buffer.concat(chunks).toString('utf8') });
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      });
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

  /** Closes the connections at once, cancelling any request still in flight. */
  close(): void {
    this.closed = true;
    void this.dispatcher?.then(
      (dispatcher) => dispatcher.destroy().catch(() => undefined),
      () => undefined, // undici never loaded: nothing to close
    );
  }

  private async load(): Promise<Dispatcher> {
    const { proxy, maxConnections } = this.options;
    const dispatcher =
      proxy === undefined
        ? new (await import('undici')).Agent({ connections: maxConnections })
        : await proxyDispatcher(proxy, maxConnections);
    if (this.closed) void dispatcher.destroy().catch(() => undefined);
    return dispatcher;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// undici's codes for no answer in time: named as node names a timeout, so that messages and
// advice read the same whichever part of the answer was late.
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function toNetworkError(error: unknown, timeoutMs: number): NetworkError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && TIMEOUTS.has(code)) return new NetworkError('ETIMEDOUT', `no answer within ${timeoutMs} ms (${code})`);
  // Read by shape: an Error from another realm (a worker, a test's VM) is not `instanceof Error` here.
  return new NetworkError(typeof code === 'string' ? code : 'ERR_NETWORK', typeof message === 'string' ? message : String(error));
}
