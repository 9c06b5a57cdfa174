/** What the HTTP and gRPC doors share: the bridge they call into and how a refusal is described. */
import type { BytesTicket } from './budget.js';
import type { Answer, Refused } from './forwarder.js';
import type { BridgeLogger } from './log.js';
import type { OtlpCodec } from './otlp-codec.js';
import type { RequestParts } from './request-parts.js';

export type Encoding = 'protobuf' | 'json';

/** gRPC status codes (also the `code` of the google.rpc.Status in an OTLP/HTTP error body). */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A request answered without (completely) delivering it. */
export interface Refusal {
  /** The HTTP status. */
  status: number;
  /** The gRPC status code. */
  code: number;
  /** A short name, for logs and stats: `unauthorized`, `too-large`, `busy`, ... */
  cause: string;
  message: string;
  /** Present on retryable refusals: Retry-After (HTTP) or RetryInfo (gRPC). */
  retryAfterSeconds?: number;
}

export interface BridgeContext {
  readonly codec: OtlpCodec;
  readonly logger: BridgeLogger;
  /** Largest body, in bytes after decompression. */
  readonly maxRequestBytes: number;
  /** True once close() was called. */
  readonly draining: boolean;
  /** A refusal when the inbound token is required and `authorization` does not carry it. */
  checkToken(authorization: string | undefined): Refusal | undefined;
  /** Room for a request's bytes, `declared` of them now (0 when unknown), taken before its body is
   * read; a refusal while the bridge drains or when they do not fit. */
  admit(declared: number): BytesTicket | Refusal;
  /** Delivers the request; `ticket` (from `admit`) is released once all its work is over. */
  forward(request: RequestParts, ticket: BytesTicket, deadline?: number): Promise<Answer>;
  /** Why the bridge is not ready to take traffic (Opper unreachable, key rejected), or undefined. */
  readiness(): Promise<string | undefined>;
  /** Counts an OTLP export request, on arrival. */
  received(): void;
  /** Counts (and logs the first of each cause) a refused request. */
  refused(refusal: Refusal, remote: string | undefined): void;
}

/** The retryable answers, as OTLP says them: 429 / RESOURCE_EXHAUSTED when the bridge is full,
 * 503 / UNAVAILABLE when Opper did not take it all; both with a retry delay. */
export function refusalOf(answer: Refused): Refusal {
  const { message, retryAfterSeconds } = answer;
  return answer.kind === 'busy'
    ? { status: 429, code: GrpcCode.RESOURCE_EXHAUSTED, cause: 'busy', message, retryAfterSeconds }
    : { status: 503, code: GrpcCode.UNAVAILABLE, cause: 'unavailable', message, retryAfterSeconds };
}
