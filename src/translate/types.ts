import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { MaskFunction } from './mask.js';

/**
 * The parts of an ended span that the translation reads. Structural on purpose: it is what
 * `ReadableSpan` from `@opentelemetry/sdk-trace-base` 1.x/2.x and `@opentelemetry/sdk-trace` 3.x
 * share, so the exporter's public types never tie a user to one SDK line.
 */
export interface ReadableSpanLike {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  /** SDK 2.x and 3.x. */
  readonly parentSpanContext?: SpanContext;
  /** SDK 1.x. */
  readonly parentSpanId?: string;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: readonly Link[];
  readonly events: readonly TimedEventLike[];
  readonly resource: { readonly attributes: Attributes };
  /** SDK 2.x and 3.x; `attributes` only from OTLP (the bridge), where a scope may carry them. */
  readonly instrumentationScope?: { readonly name: string; readonly version?: string; readonly attributes?: Attributes };
  /** SDK 1.x. */
  readonly instrumentationLibrary?: { readonly name: string; readonly version?: string };
  readonly droppedAttributesCount?: number;
  readonly droppedEventsCount?: number;
  readonly droppedLinksCount?: number;
}

export interface TimedEventLike {
  readonly name: string;
  readonly time: HrTime;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

/** JSON body of `POST /spans` (the start state). Absent fields are left out, never null. */
export interface OpperCreateBody {
  id: string;
  trace_id: string;
  parent_id?: string;
  name: string;
  type?: string;
  start_time: string;
  input?: string;
  meta?: Record<string, unknown>;
}

/** JSON body of `PATCH /spans/{id}` (the end state). */
export interface OpperUpdateBody {
  /** Absent only for a span that has not ended (`TranslateOptions.unfinished`). */
  end_time?: string;
  output?: string;
  error?: string;
  score?: number;
}

/** One span ready to send: its identity and both request bodies, serialised once. */
export interface TranslatedSpan {
  id: string;
  traceId: string;
  /** Opper id of the parent, when the span has one (used to create parents first). */
  parentId?: string;
  /** JSON text of the create body, at most `maxBodyBytes` UTF-8 bytes. */
  create: string;
  /** JSON text of the PATCH body, at most `maxBodyBytes` UTF-8 bytes. */
  update: string;
}

export interface TranslateOptions {
  /** Upper bound, in UTF-8 bytes, of each serialised request body. */
  maxBodyBytes: number;
  /** Called for every content-bearing string (see mask.ts). */
  mask?: MaskFunction | undefined;
  /** Told when `mask` threw (the string was redacted). */
  onMaskError?: ((error: unknown) => void) | undefined;
  /** The hex span id to link as parent instead of the span's own (null: none); meta keeps the real one. */
  parentSpanId?: string | null | undefined;
  /** The PATCH carries the complete state (name, type, input, meta too): its create went out earlier. */
  completeUpdate?: boolean | undefined;
  /** The span has not ended: no end time is sent, and meta `opper.unfinished` says why. */
  unfinished?: 'running' | 'shutdown' | undefined;
  /** Replace secrets in standard attributes by `REDACTED` (redact.ts). Default true. */
  redactSecrets?: boolean | undefined;
  /** Send inline binary payloads (base64 images, audio, files) as they are instead of describing them (binary.ts). Default false. */
  keepBinaryPayloads?: boolean | undefined;
}
