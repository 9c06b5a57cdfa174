/**
 * A span's parts as plain data that `postMessage` can copy, so that a worker can translate it:
 * copying them measured cheaper on the app's thread than translating there (bench rows 8).
 * Each resource is sent once per batch, however many spans share it.
 */
import type { Attributes, SpanContext } from '@opentelemetry/api';
import type { BoundedSpan } from './bound.js';
import { boundFor } from './span.js';
import type { ReadableSpanLike, TranslateOptions } from './types.js';

type Plain<T> = { -readonly [K in keyof T]: T[K] };
export type SpanParts = Omit<Plain<ReadableSpanLike>, 'spanContext' | 'resource'> & {
  context: SpanContext;
  resource: number;
  /** Set when the walk (bound.ts) cut the span: the parts are its cut view. */
  cut?: { eventsCut: number; linksCut: number };
};

export interface PartsBatch {
  spans: SpanParts[];
  resources: Attributes[];
}

/** A batch to translate elsewhere, with its options (no mask: a function stays where it is). */
export interface UntranslatedBatch {
  batch: PartsBatch;
  options: Omit<TranslateOptions, 'mask' | 'onMaskError'>;
}

/**
 * The spans' parts, each walked first as `translateSpan` would (bound.ts): a huge span costs this
 * thread about one body's worth of work and copying, never its whole size. A span whose parts
 * cannot be read is left out and handed to `onUnreadable` (to be translated where it is, by the
 * translation's last resort).
 */
export function toParts(
  spans: readonly ReadableSpanLike[],
  options: TranslateOptions,
  onUnreadable: (span: ReadableSpanLike) => void,
): PartsBatch {
  const parts = new PartsBuilder(options);
  for (const span of spans) if (!parts.add(span)) onUnreadable(span);
  return parts.take();
}

/** Builds a batch of parts span by span, so that a caller can cut it into slices by `bytes`. */
export class PartsBuilder {
  private resources: Attributes[] = [];
  private index = new Map<object, number>();
  private parts: SpanParts[] = [];
  /** At least the JSON bytes the parts added since the last `take()` hold. */
  bytes = 0;

  constructor(private readonly options: TranslateOptions) {}

  get size(): number {
    return this.parts.length;
  }

  /** Adds the span's parts; false (nothing added) when they cannot be read. */
  add(whole: ReadableSpanLike): boolean {
    try {
      const bounded = boundFor(whole, this.options);
      const span = bounded.span;
      const resource = span.resource.attributes;
      let at = this.index.get(resource);
      if (at === undefined) this.index.set(resource, (at = this.resources.push(resource) - 1));
      const { traceId, spanId, traceFlags } = span.spanContext();
      const parent = span.parentSpanContext;
      const part: SpanParts = {
        name: span.name,
        kind: span.kind,
        context: { traceId, spanId, traceFlags },
        startTime: span.startTime,
        endTime: span.endTime,
        status: span.status,
        attributes: span.attributes,
        links: span.links.map(({ context, attributes, droppedAttributesCount }) => ({
          context: { traceId: context.traceId, spanId: context.spanId, traceFlags: context.traceFlags },
          attributes,
          droppedAttributesCount,
        })),
        events: span.events,
        resource: at,
      };
      if (parent !== undefined) part.parentSpanContext = { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.traceFlags };
      if (span.parentSpanId !== undefined) part.parentSpanId = span.parentSpanId;
      if (span.instrumentationScope !== undefined) part.instrumentationScope = span.instrumentationScope;
      if (span.instrumentationLibrary !== undefined) part.instrumentationLibrary = span.instrumentationLibrary;
      if (span.droppedAttributesCount !== undefined) part.droppedAttributesCount = span.droppedAttributesCount;
      if (span.droppedEventsCount !== undefined) part.droppedEventsCount = span.droppedEventsCount;
      if (span.droppedLinksCount !== undefined) part.droppedLinksCount = span.droppedLinksCount;
      if (bounded.cut) part.cut = { eventsCut: bounded.eventsCut, linksCut: bounded.linksCut };
      this.parts.push(part);
      this.bytes += bounded.width ?? 0;
      return true;
    } catch {
      return false;
    }
  }

  /** The batch so far; the builder starts a new one. */
  take(): PartsBatch {
    const batch = { spans: this.parts, resources: this.resources };
    this.parts = [];
    this.resources = [];
    this.index = new Map();
    this.bytes = 0;
    return batch;
  }
}

/** A span to translate from its parts, as the walk that made them left it (for `translateSpan`). */
export function fromParts(part: SpanParts, resources: readonly Attributes[]): BoundedSpan {
  const { context, resource, cut, ...rest } = part;
  const span: ReadableSpanLike = { ...rest, spanContext: () => context, resource: { attributes: resources[resource] ?? {} } };
  return { span, cut: cut !== undefined, eventsCut: cut?.eventsCut ?? 0, linksCut: cut?.linksCut ?? 0 };
}
