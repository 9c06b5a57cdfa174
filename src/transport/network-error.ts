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
 * Whether `error` is a NetworkError of any client (http-client.ts's or fetch-client.ts's): read by
 * shape, so that the sender needs no import of a client and the fetch build none of Node's.
 */
export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof Error && error.name === 'NetworkError' && typeof (error as { code?: unknown }).code === 'string';
}
