/** One ended span -> the create (POST) and update (PATCH) bodies of docs/mapping.md, serialised once. */
import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  ATTR_OPPER_INPUT,
  ATTR_OPPER_OUTPUT,
  ATTR_OPPER_SCORE,
  ATTR_OPPER_TYPE,
  META_OPPER_CLAMPED_TIME,
  META_OPPER_TRUNCATED,
  META_OPPER_UNFINISHED,
} from './attributes.js';
import { elideBinary } from './binary.js';
import { boundSpan, type BoundedSpan } from './bound.js';
import { capJson, fitsBytes, normalizeMaxBytes } from './cap.js';
import { isValidSpanId, toOpperSpanId, toOpperTraceId } from './ids.js';
import { takeText, type DialectContext } from './dialect.js';
import { dialectInput, dialectMeta, dialectOutput, dialectType } from './llm.js';
import { maskBodies } from './mask.js';
import { clampedTime } from './time.js';
import type { OpperCreateBody, OpperUpdateBody, ReadableSpanLike, TranslatedSpan, TranslateOptions } from './types.js';
import { asText, cleanAttributes, cleanString, copyAttributes } from './values.js';

const KIND_NAMES: Readonly<Record<number, string>> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

/** Type rule 4: well-known semantic conventions, first present attribute wins. */
const CONVENTION_TYPES: readonly (readonly [string, string])[] = [
  ['http.request.method', 'http'],
  ['http.method', 'http'],
  ['db.system.name', 'db'],
  ['db.system', 'db'],
  ['rpc.system', 'rpc'],
  ['messaging.system', 'messaging'],
];

const EMPTY: Attributes = {};

/**
 * Translates an ended span. Each body is JSON text of at most `options.maxBodyBytes` UTF-8 bytes,
 * cut as described in cap.ts (only a limit of a few hundred bytes, too small for identity and
 * timing, cannot be met). Never throws: a span whose getters throw becomes a minimal body carrying
 * the reason in meta `opper.translate_error`. `bounded`: the span's walk (`boundFor`), when it was
 * already made (elsewhere: the worker transport walks on the app's thread and translates in its worker).
 */
export function translateSpan(span: ReadableSpanLike, options: TranslateOptions, bounded?: BoundedSpan): TranslatedSpan {
  const max = normalizeMaxBytes(options?.maxBodyBytes);
  try {
    return translate(bounded ?? boundFor(span, options), max, options);
  } catch (error) {
    return translateUnreadable(span, max, error, options);
  }
}

/**
 * The walk `translateSpan` makes of `span` first (bound.ts), on its own: binary payloads described
 * (unless the options keep them), the span cut to about its bodies' size.
 */
export function boundFor(span: ReadableSpanLike, options: TranslateOptions): BoundedSpan {
  const max = normalizeMaxBytes(options?.maxBodyBytes);
  return boundSpan(span, max, options?.keepBinaryPayloads !== true);
}

function translate(bounded: BoundedSpan, max: number, options: TranslateOptions): TranslatedSpan {
  // Everything below reads the bounded view: a huge span costs about one body's worth of work.
  const span = bounded.span;
  const context = span.spanContext();
  const traceHex = context.traceId;
  const spanHex = context.spanId;
  const parentHex = parentSpanIdOf(span);
  const linkHex = options.parentSpanId === undefined ? parentHex : (options.parentSpanId ?? undefined);
  const id = toOpperSpanId(spanHex, traceHex);
  const traceId = toOpperTraceId(traceHex);
  const parentId = linkHex === undefined ? undefined : toOpperSpanId(linkHex, traceHex);
  const attributes = span.attributes ?? EMPTY;
  const ctx: DialectContext = { span, attributes, consumed: new Set(), consumedEvents: new Map() };

  // Values undefined here are left out by JSON.stringify: absent fields are never sent as null.
  // The end state is read first: what becomes output or score is left out of meta.
  const times = timesOf(span, options.unfinished !== undefined);
  const update: OpperUpdateBody = {
    end_time: times.end,
    output: content(takeText(ctx, ATTR_OPPER_OUTPUT) ?? dialectOutput(ctx), max, options),
    error: errorOf(span),
    score: scoreOf(ctx),
  };
  const name = typeof span.name === 'string' && span.name !== '' ? cleanString(span.name) : 'unnamed';
  const create: OpperCreateBody = {
    id,
    trace_id: traceId,
    parent_id: parentId,
    name,
    type: typeOf(ctx),
    start_time: times.start,
    input: content(takeText(ctx, ATTR_OPPER_INPUT) ?? dialectInput(ctx), max, options),
    meta: metaOf(ctx, traceHex, spanHex, parentHex, options.redactSecrets !== false, bounded),
  };
  if (options.mask) {
    const onError = options.onMaskError;
    maskBodies(
      { mask: options.mask, onError, span: { spanName: name, traceId: String(traceHex), spanId: String(spanHex) } },
      create,
      update,
    );
  }
  const meta = create.meta!;
  if (options.unfinished) meta[META_OPPER_UNFINISHED] = options.unfinished;
  if (times.clamped !== undefined) meta[META_OPPER_CLAMPED_TIME] = times.clamped;
  if (bounded.cut) meta[META_OPPER_TRUNCATED] = true;
  const { id: _id, trace_id: _trace, parent_id: _parent, ...state } = create;
  const patch = options.completeUpdate ? { ...state, ...update } : update;
  let updateJson = JSON.stringify(patch);
  const updateCut = !fitsBytes(updateJson, max);
  if (updateCut) updateJson = capJson(patch, max, updateJson);
  if (updateCut) meta[META_OPPER_TRUNCATED] = true;
  let createJson = JSON.stringify(create);
  if (!fitsBytes(createJson, max)) createJson = capJson(create, max, createJson); // sets opper.truncated

  const translated: TranslatedSpan = { id, traceId, create: createJson, update: updateJson };
  if (parentId !== undefined) translated.parentId = parentId;
  return translated;
}

/**
 * Input or output with the binary payloads that a dialect decoded (a JSON escape) or the walk's
 * budget left described too: no long base64 reaches Opper's input or output.
 */
function content(text: string | undefined, max: number, options: TranslateOptions): string | undefined {
  if (text === undefined || options.keepBinaryPayloads === true) return text;
  return elideBinary(text, { chars: 2 * max });
}

/**
 * The parent's hex span id (SDK 2.x/3.x `parentSpanContext`, 1.x `parentSpanId`); undefined for a
 * root, for an invalid parent id (all zero, not 16 lower-case hex: OpenTelemetry's rule, as the
 * SDK itself applies it) and for a span that names itself as its parent (a root, not a self-loop).
 */
export function parentSpanIdOf(span: ReadableSpanLike): string | undefined {
  const hex = span.parentSpanContext?.spanId ?? span.parentSpanId;
  if (!isValidSpanId(hex)) return undefined;
  return hex === span.spanContext().spanId ? undefined : hex;
}

interface SpanTimes {
  start: string;
  end: string | undefined;
  /** The times that were not sent as they are, by field, as text (meta `opper.clamped_time`). */
  clamped?: Record<string, string>;
}

/**
 * Start and end as Opper stores them: each clamped to years 0001-9999, and an end before the start
 * sent as the start (zero duration); what changed is recorded in `clamped`.
 */
function timesOf(span: ReadableSpanLike, unfinished: boolean): SpanTimes {
  const start = clampedTime(span.startTime);
  const end = unfinished ? undefined : clampedTime(span.endTime);
  const clamped: Record<string, string> = {};
  if (start.original !== undefined) clamped.start_time = start.original;
  if (end !== undefined) {
    if (end.original !== undefined) clamped.end_time = end.original;
    // Both are fixed-width ISO text in years 0001-9999: text order is time order.
    if (end.iso < start.iso) {
      clamped.end_time ??= end.iso;
      end.iso = start.iso;
    }
  }
  const times: SpanTimes = { start: start.iso, end: end?.iso };
  if (Object.keys(clamped).length > 0) times.clamped = clamped;
  return times;
}

function typeOf(ctx: DialectContext): string | undefined {
  const { attributes } = ctx;
  const own = attributes[ATTR_OPPER_TYPE];
  if (typeof own === 'string' && own !== '') {
    ctx.consumed.add(ATTR_OPPER_TYPE);
    return cleanString(own);
  }
  const llm = dialectType(ctx);
  if (llm !== undefined) return llm;
  for (const [key, type] of CONVENTION_TYPES) if (attributes[key] != null) return type;
  return kindName(ctx.span.kind);
}

function kindName(kind: unknown): string | undefined {
  return typeof kind === 'number' ? KIND_NAMES[kind] : undefined;
}

/** `opper.score` rounded, when it is a finite number (and a safe integer once rounded). */
function scoreOf(ctx: DialectContext): number | undefined {
  const value = ctx.attributes[ATTR_OPPER_SCORE];
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const score = Math.round(value);
  if (!Number.isSafeInteger(score)) return undefined;
  ctx.consumed.add(ATTR_OPPER_SCORE);
  return score === 0 ? 0 : score; // no -0
}

/** Only for status ERROR: the first exception event, else the status message, else "Error". */
function errorOf(span: ReadableSpanLike): string | undefined {
  const status = span.status;
  if (status?.code !== SpanStatusCode.ERROR) return undefined;
  const exception = span.events?.find((event) => event?.name === 'exception');
  if (exception !== undefined) {
    const type = nonEmptyText(exception.attributes?.['exception.type']);
    const message = nonEmptyText(exception.attributes?.['exception.message']);
    if (type !== undefined && message !== undefined) return `${type}: ${message}`;
    if (type !== undefined || message !== undefined) return type ?? message;
  }
  return nonEmptyText(status.message) ?? 'Error';
}

function nonEmptyText(value: unknown): string | undefined {
  const text = asText(value);
  return text === '' ? undefined : text;
}

function metaOf(
  ctx: DialectContext,
  traceHex: string,
  spanHex: string,
  parentHex: string | undefined,
  redact: boolean,
  cut: { eventsCut: number; linksCut: number },
): Record<string, unknown> {
  const { span } = ctx;
  const meta: Record<string, unknown> = {};
  copyAttributes(ctx.attributes, meta, ctx.consumed, redact);
  dialectMeta(ctx, meta);
  const kind = kindName(span.kind);
  if (kind !== undefined) meta['otel.kind'] = kind;
  const status = span.status;
  if (status?.code === SpanStatusCode.OK) meta['otel.status_code'] = 'OK';
  else if (status?.code === SpanStatusCode.ERROR) meta['otel.status_code'] = 'ERROR';
  if (typeof status?.message === 'string' && status.message !== '') meta['otel.status_message'] = cleanString(status.message);
  const scope = span.instrumentationScope ?? span.instrumentationLibrary;
  if (typeof scope?.name === 'string' && scope.name !== '') meta['otel.scope.name'] = cleanString(scope.name);
  if (typeof scope?.version === 'string' && scope.version !== '') meta['otel.scope.version'] = cleanString(scope.version);
  const scopeAttributes = cleanAttributes((scope as { attributes?: Attributes } | undefined)?.attributes, redact);
  if (scopeAttributes !== undefined) meta['otel.scope.attributes'] = scopeAttributes;
  meta['otel.trace_id'] = cleanString(String(traceHex));
  meta['otel.span_id'] = cleanString(String(spanHex));
  if (parentHex !== undefined) meta['otel.parent_span_id'] = cleanString(parentHex);
  const events = span.events;
  if ((events?.length ?? 0) > 0)
    meta['otel.events'] = withCutMarker(
      events.map((event) => eventMeta(event, ctx.consumedEvents.get(event))),
      cut.eventsCut,
    );
  const links = span.links;
  if ((links?.length ?? 0) > 0) meta['otel.links'] = withCutMarker(links.map(linkMeta), cut.linksCut);
  if ((span.droppedAttributesCount ?? 0) > 0) meta['otel.dropped_attributes_count'] = span.droppedAttributesCount;
  if ((span.droppedEventsCount ?? 0) > 0) meta['otel.dropped_events_count'] = span.droppedEventsCount;
  if ((span.droppedLinksCount ?? 0) > 0) meta['otel.dropped_links_count'] = span.droppedLinksCount;
  const resource = cleanAttributes(span.resource?.attributes, redact);
  if (resource !== undefined) meta.resource = resource;
  return meta;
}

/** A list the walk cut (bound.ts) ends with the marker item cap.ts also writes. */
function withCutMarker(list: unknown[], cut: number): unknown[] {
  if (cut > 0) list.push(`…[truncated ${cut} items]`);
  return list;
}

/** One event; `consumed` are its attributes that became the input or output (left out here). */
function eventMeta(event: ReadableSpanLike['events'][number], consumed?: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: cleanString(String(event?.name ?? '')), time: clampedTime(event?.time).iso };
  const attributes: Record<string, unknown> = {};
  if (copyAttributes(event?.attributes, attributes, consumed) > 0) out.attributes = attributes;
  if ((event?.droppedAttributesCount ?? 0) > 0) out.dropped_attributes_count = event.droppedAttributesCount;
  return out;
}

function linkMeta(link: ReadableSpanLike['links'][number]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    trace_id: cleanString(String(link?.context?.traceId ?? '')),
    span_id: cleanString(String(link?.context?.spanId ?? '')),
  };
  const attributes = cleanAttributes(link?.attributes);
  if (attributes !== undefined) out.attributes = attributes;
  if ((link?.droppedAttributesCount ?? 0) > 0) out.dropped_attributes_count = link.droppedAttributesCount;
  return out;
}

/** Last resort for a span whose getters throw: identity, name and times, each read on its own. */
function translateUnreadable(span: ReadableSpanLike, max: number, error: unknown, options: TranslateOptions): TranslatedSpan {
  const read = <T>(get: () => T): T | undefined => {
    try {
      return get();
    } catch {
      return undefined;
    }
  };
  const traceHex = String(read(() => span.spanContext().traceId) ?? '');
  const spanHex = String(read(() => span.spanContext().spanId) ?? '');
  const parentHex = options.parentSpanId === undefined ? read(() => parentSpanIdOf(span)) : (options.parentSpanId ?? undefined);
  const name = read(() => span.name);
  const translated: TranslatedSpan = { id: toOpperSpanId(spanHex, traceHex), traceId: toOpperTraceId(traceHex), create: '', update: '' };
  const create: OpperCreateBody = { id: translated.id, trace_id: translated.traceId, name: 'unnamed', start_time: '' };
  if (parentHex !== undefined) create.parent_id = translated.parentId = toOpperSpanId(parentHex, traceHex);
  if (typeof name === 'string' && name !== '') create.name = cleanString(name);
  create.start_time = clampedTime(read(() => span.startTime) as HrTime).iso;
  create.meta = { 'opper.translate_error': read(() => cleanString(String(error))) ?? 'unknown error' };
  const update: OpperUpdateBody = options.unfinished ? {} : { end_time: clampedTime(read(() => span.endTime) as HrTime).iso };
  if (options.mask)
    maskBodies(
      { mask: options.mask, onError: options.onMaskError, span: { spanName: create.name, traceId: traceHex, spanId: spanHex } },
      create,
      update,
    );
  if (options.unfinished) create.meta![META_OPPER_UNFINISHED] = options.unfinished;
  const { id: _id, trace_id: _trace, parent_id: _parent, ...state } = create;
  translated.create = capJson(create, max);
  translated.update = capJson(options.completeUpdate ? { ...state, ...update } : update, max);
  return translated;
}
