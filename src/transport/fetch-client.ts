/**
 * The HTTP client for runtimes without Node's HTTP stack (Workers, Vercel Edge): the platform's
 * `fetch`, one request per call, nothing kept open or scheduled between calls.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { HttpResponse, NetworkError } from './http-client.js';
import { networkError } from './network-error.js';
import type { ClosableSender } from './delivery.js';

export interface FetchClientOptions {
  baseUrl: string;
  apiKey: string;
  headers: Readonly<Record<string, string>>;
  userAgent: string;
}

export class FetchClient implements ClosableSender {
  private readonly headers: Record<string, string>;

  constructor(private readonly options: FetchClientOptions) {
    const { apiKey, headers, userAgent } = options;
    this.headers = { ...headers, 'user-agent': userAgent, authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  }

  /** Sends one JSON request; resolves with any HTTP status, rejects only with NetworkError. */
  request(method: 'GET' | 'POST' | 'PATCH', path: string, body: string | undefined, timeoutMs: number): Promise<HttpResponse> {
    // The exporter's own requests must never become spans (an instrumented fetch would trace them).
    return context.with(suppressTracing(context.active()), async () => {
      try {
        const response = await fetch(`${this.options.baseUrl}/${path}`, {
          method,
          body,
          headers: this.headers,
          // A redirect is reported as a misconfiguration, never followed (as by the Node client).
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const header = (name: string) => response.headers.get(name) ?? undefined;
        const text = await response.text();
        return {
          status: response.status,
          retryAfter: header('retry-after'),
          contentType: header('content-type'),
          location: header('location'),
          body: text,
        };
      } catch (error) {
        throw toNetworkError(error);
      }
    });
  }

  /** Nothing to release: fetch keeps no connection of ours. */
  close(): void {}
}

/** fetch's failure as the sender reads it: the cause's code where the runtime gives one (Node's
 * undici under edge-runtime: ECONNREFUSED...), ETIMEDOUT for the timeout, else ERR_NETWORK. Read
 * by shape: the platform's errors may come from another realm than this bundle's `Error`. */
function toNetworkError(error: unknown): NetworkError {
  const {
    name,
    message = String(error),
    cause,
  } = (error ?? {}) as { name?: unknown; message?: string; cause?: { code?: unknown; message?: unknown } };
  if (name === 'TimeoutError') return networkError('ETIMEDOUT', message);
  const code = typeof cause?.code === 'string' ? cause.code : 'ERR_NETWORK';
  return networkError(code, typeof cause?.message === 'string' ? `${message}: ${cause.message}` : message);
}
