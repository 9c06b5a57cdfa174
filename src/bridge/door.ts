/** What the HTTP and gRPC doors share: the bridge they call into and how a refusal is described. */
import type { Answer } from './forwarder.js';
import type { BridgeLogger } from './log.js';
import type { OtlpCodec } from './otlp-codec.js';

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
  /** A refusal, before the body is read, while the bridge drains or is at its bound. */
  refuseEarly(): Refusal | undefined;
  forward(request: unknown, bytes: number, deadline?: number): Promise<Answer>;
  /** Why the bridge is not ready to take traffic (Opper unreachable, key rejected), or undefined. */
  readiness(): Promise<string | undefined>;
  /** Counts an OTLP export request, on arrival. */
  received(): void;
  /** Counts (and logs the first of each cause) a refused request. */
  refused(refusal: Refusal, remote: string | undefined): void;
}

/** The retryable answers, as OTLP says them: 429 / RESOURCE_EXHAUSTED when the bridge is full,
 * 503 / UNAVAILABLE when Opper did not take it all; both with a retry delay. */
export function refusalOf(answer: Exclude<Answer, { kind: 'ok' }>): Refusal {
  const { message, retryAfterSeconds } = answer;
  return answer.kind === 'busy'
    ? { status: 429, code: GrpcCode.RESOURCE_EXHAUSTED, cause: 'busy', message, retryAfterSeconds }
    : { status: 503, code: GrpcCode.UNAVAILABLE, cause: 'unavailable', message, retryAfterSeconds };
}
