import { SpanKind, SpanStatusCode, type Attributes, type Link, type SpanStatus } from '@opentelemetry/api';
import type { ReadableSpanLike, TimedEventLike } from '../../src/translate/types.js';

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'b7ad6b7169203331';
export const PARENT_ID = '00f067aa0ba902b7';

export interface SpanFields {
  name?: string;
  kind?: SpanKind;
  traceId?: string;
  spanId?: string;
  parentSpanContext?: ReadableSpanLike['parentSpanContext'];
  parentSpanId?: string;
  startTime?: [number, number];
  endTime?: [number, number];
  status?: SpanStatus;
  attributes?: Attributes;
  links?: Link[];
  events?: TimedEventLike[];
  resource?: Attributes;
  instrumentationScope?: { name: string; version?: string };
  instrumentationLibrary?: { name: string; version?: string };
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

/** A ReadableSpanLike written out literally (SDK 2.x shape unless told otherwise). */
export function makeSpan(fields: SpanFields = {}): ReadableSpanLike {
  const traceId = fields.traceId ?? TRACE_ID;
  const spanId = fields.spanId ?? SPAN_ID;
  return {
    name: fields.name ?? 'operation',
    kind: fields.kind ?? SpanKind.INTERNAL,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    parentSpanContext: fields.parentSpanContext,
    parentSpanId: fields.parentSpanId,
    startTime: fields.startTime ?? [1710928800, 123456789],
    endTime: fields.endTime ?? [1710928801, 5000],
    status: fields.status ?? { code: SpanStatusCode.UNSET },
    attributes: fields.attributes ?? {},
    links: fields.links ?? [],
    events: fields.events ?? [],
    resource: { attributes: fields.resource ?? { 'service.name': 'test-service' } },
    instrumentationScope:
      fields.instrumentationScope ?? (fields.instrumentationLibrary ? undefined : { name: 'test-scope', version: '1.0.0' }),
    instrumentationLibrary: fields.instrumentationLibrary,
    droppedAttributesCount: fields.droppedAttributesCount ?? 0,
    droppedEventsCount: fields.droppedEventsCount ?? 0,
    droppedLinksCount: fields.droppedLinksCount ?? 0,
  };
}

export interface Bodies {
  create: Record<string, unknown> & { meta: Record<string, unknown> };
  update: Record<string, unknown>;
}

export function parse(translated: { create: string; update: string }): Bodies {
  return { create: JSON.parse(translated.create), update: JSON.parse(translated.update) };
}

export const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** True when a string holds a lone surrogate or a NUL. */
export function hasBadChars(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\0/.test(s);
}

/** Every string (keys included) in a parsed JSON value. */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) allStrings(item, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      allStrings(item, out);
    }
  }
  return out;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
