import type { NetworkError } from './http-client.js';

/**
 * Whether `error` is a NetworkError (a request that got no HTTP answer) of any client: Node's
 * (http-client.ts) or fetch's (fetch-client.ts). Read by shape, so that neither the sender nor the
 * fetch build imports the Node client.
 */
export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof Error && error.name === 'NetworkError' && typeof (error as { code?: unknown }).code === 'string';
}

/** A NetworkError as `isNetworkError` reads it, made without loading the Node client. */
export function networkError(code: string, message: string): NetworkError {
  return Object.assign(new Error(message), { name: 'NetworkError' as const, code });
}
