/**
 * An OTLP `ExportTraceServiceRequest`, as protobufjs decodes it or as the OTLP JSON mapping writes
 * it, read into the span shape the SDK hands an exporter (`ReadableSpanLike`), so that the bridge
 * and the in-process exporter translate the same span into the same bodies.
 *
 * The two encodings differ only in leaf types, handled here: ids are bytes or hex, 64-bit
 * integers are `Long`s or decimal strings, `bytes` values are bytes or base64, doubles may be
 * "NaN"/"Infinity" strings in JSON. Field names are the lowerCamelCase both use.
 */
import {
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type HrTime,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { ReadableSpanLike, TimedEventLike } from '../translate/types.js';

type Obj = Record<string, unknown>;

/** A span the bridge could not read, with why (counted as rejected in `partial_success`). */
export interface UnreadableSpan {
  detail: string;
}

export interface ReadResult {
  spans: ReadableSpanLike[];
  unreadable: UnreadableSpan[];
}

const NANOS_PER_SECOND = 1_000_000_000n;
const TWO_32 = 4294967296n;
// SpanFlags (trace.proto): bit 8 says whether bit 9 (the context is remote) is known.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const TRACE_FLAGS = 0xff;

/** Every span of the request; a malformed one is set aside, never fatal to the others. */
export function readSpans(request: unknown): ReadResult {
  const result: ReadResult = { spans: [], unreadable: [] };
  for (const resourceSpans of list(field(request, 'resourceSpans'))) {
    const resource = attempt(() => ({ attributes: attributesOf(field(field(resourceSpans, 'resource'), 'attributes')) }), 'resource');
    for (const scopeSpans of list(field(resourceSpans, 'scopeSpans'))) {
      const scope = attempt(() => scopeOf(field(scopeSpans, 'scope')), 'instrumentation scope');
      for (const span of list(field(scopeSpans, 'spans'))) {
        // A resource or scope that cannot be read costs its own spans, not the request.
        if ('detail' in resource) result.unreadable.push(resource);
        else if ('detail' in scope) result.unreadable.push(scope);
        else {
          const read = attempt(() => spanOf(span, resource, scope));
          if ('detail' in read) result.unreadable.push(read);
          else result.spans.push(read);
        }
      }
    }
  }
  return result;
}

/** `read()`, or why it failed (`what` names the part that did). */
function attempt<T extends object>(read: () => T, what?: string): T | UnreadableSpan {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { detail: what === undefined ? message : `its ${what}: ${message}` };
  }
}

/** How many spans the request holds, read or not. */
export function countSpans(request: unknown): number {
  let count = 0;
  for (const resourceSpans of list(field(request, 'resourceSpans'))) {
    for (const scopeSpans of list(field(resourceSpans, 'scopeSpans'))) count += list(field(scopeSpans, 'spans')).length;
  }
  return count;
}

function spanOf(span: unknown, resource: ReadableSpanLike['resource'], scope: ReadableSpanLike['instrumentationScope']): ReadableSpanLike {
  const traceId = hexId(field(span, 'traceId'), 16, 'traceId');
  const spanId = hexId(field(span, 'spanId'), 8, 'spanId');
  const flags = int(field(span, 'flags'));
  const context: SpanContext = { traceId, spanId, traceFlags: flags & TRACE_FLAGS };
  const traceState = text(field(span, 'traceState'));
  if (traceState !== '') context.traceState = new TraceState(traceState);
  const parentHex = optionalHexId(field(span, 'parentSpanId'), 'parentSpanId');
  // The span's own flags say whether its parent context was remote.
  const parentSpanContext: SpanContext | undefined =
    parentHex === undefined ? undefined : { traceId, spanId: parentHex, traceFlags: context.traceFlags, ...remoteness(flags) };
  const status = field(span, 'status');
  const readable: ReadableSpanLike = {
    name: text(field(span, 'name')),
    kind: kindOf(int(field(span, 'kind'))),
    spanContext: () => context,
    parentSpanContext,
    startTime: hrTime(field(span, 'startTimeUnixNano')),
    endTime: hrTime(field(span, 'endTimeUnixNano')),
    status: { code: statusCodeOf(int(field(status, 'code'))), message: text(field(status, 'message')) || undefined },
    attributes: attributesOf(field(span, 'attributes')),
    links: list(field(span, 'links')).map(linkOf),
    events: list(field(span, 'events')).map(eventOf),
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: int(field(span, 'droppedAttributesCount')),
    droppedEventsCount: int(field(span, 'droppedEventsCount')),
    droppedLinksCount: int(field(span, 'droppedLinksCount')),
  };
  return readable;
}

function scopeOf(scope: unknown): NonNullable<ReadableSpanLike['instrumentationScope']> {
  const out: { name: string; version?: string; attributes?: Attributes } = { name: text(field(scope, 'name')) };
  const version = text(field(scope, 'version'));
  if (version !== '') out.version = version;
  const attributes = attributesOf(field(scope, 'attributes'));
  if (Object.keys(attributes).length > 0) out.attributes = attributes;
  return out;
}

function linkOf(link: unknown): Link {
  const flags = int(field(link, 'flags'));
  const context: SpanContext = {
    traceId: hexId(field(link, 'traceId'), 16, 'link traceId'),
    spanId: hexId(field(link, 'spanId'), 8, 'link spanId'),
    traceFlags: flags & TRACE_FLAGS,
    ...remoteness(flags),
  };
  const traceState = text(field(link, 'traceState'));
  if (traceState !== '') context.traceState = new TraceState(traceState);
  const out: Link = { context, attributes: attributesOf(field(link, 'attributes')) };
  const dropped = int(field(link, 'droppedAttributesCount'));
  if (dropped > 0) out.droppedAttributesCount = dropped;
  return out;
}

function eventOf(event: unknown): TimedEventLike {
  const dropped = int(field(event, 'droppedAttributesCount'));
  return {
    name: text(field(event, 'name')),
    time: hrTime(field(event, 'timeUnixNano')),
    attributes: attributesOf(field(event, 'attributes')),
    ...(dropped > 0 ? { droppedAttributesCount: dropped } : {}),
  };
}

function remoteness(flags: number): { isRemote?: boolean } {
  return (flags & HAS_IS_REMOTE) !== 0 ? { isRemote: (flags & IS_REMOTE) !== 0 } : {};
}

/** OTLP's SpanKind is the API's plus one (0 is UNSPECIFIED, read as INTERNAL as the spec allows). */
function kindOf(kind: number): SpanKind {
  return kind >= 1 && kind <= 5 ? ((kind - 1) as SpanKind) : SpanKind.INTERNAL;
}

function statusCodeOf(code: number): SpanStatusCode {
  return code === 1 ? SpanStatusCode.OK : code === 2 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET;
}

/** Nesting of arrays and kvlists beyond this is refused: no instrumentation writes it, and reading
 * it would cost stack and time the bridge does not owe to a hostile request. */
const MAX_VALUE_DEPTH = 64;

function attributesOf(keyValues: unknown, depth = 0): Attributes {
  const attributes: Attributes = {};
  for (const kv of list(keyValues)) {
    const value = anyValue(field(kv, 'value'), depth);
    if (value === undefined) continue;
    const key = text(field(kv, 'key'));
    if (key === '__proto__') Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
    else attributes[key] = value as AttributeValue;
  }
  return attributes;
}

/**
 * An AnyValue as the value an SDK attribute would hold: strings, booleans and numbers as they are,
 * an int64 beyond 2^53 as its exact decimal digits, bytes as base64, arrays as arrays and kvlists
 * as objects (both written as JSON by the translation). Undefined when no value is set.
 */
function anyValue(value: unknown, depth: number): unknown {
  if (depth > MAX_VALUE_DEPTH) throw new Error(`an attribute value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (!isObject(value)) return undefined;
  if (has(value, 'stringValue')) return text(value.stringValue);
  if (has(value, 'boolValue')) return value.boolValue === true || value.boolValue === 'true';
  if (has(value, 'intValue')) return int64(value.intValue);
  if (has(value, 'doubleValue')) return double(value.doubleValue);
  if (has(value, 'bytesValue')) return base64(value.bytesValue);
  if (has(value, 'arrayValue')) return list(field(value.arrayValue, 'values')).map((item) => anyValue(item, depth + 1) ?? null);
  if (has(value, 'kvlistValue')) return attributesOf(field(value.kvlistValue, 'values'), depth + 1);
  return undefined;
}

/** Unix nanoseconds (fixed64) as an HrTime, by integer arithmetic on BigInt: no float rounding. */
export function hrTime(value: unknown): HrTime {
  const nanos = uint64(value);
  return [Number(nanos / NANOS_PER_SECOND), Number(nanos % NANOS_PER_SECOND)];
}

function uint64(value: unknown): bigint {
  if (isLong(value)) return BigInt(value.high >>> 0) * TWO_32 + BigInt(value.low >>> 0);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  return 0n;
}

/** int64 as a number when it is exact, else as its decimal digits. */
function int64(value: unknown): number | string {
  let big: bigint;
  if (isLong(value)) big = BigInt.asIntN(64, BigInt(value.high >>> 0) * TWO_32 + BigInt(value.low >>> 0));
  else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) big = BigInt(value);
  else if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  else return 0;
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big.toString();
}

function double(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : 0;
}

function base64(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return typeof value === 'string' ? value : '';
}

/** A required id of `bytes` bytes, as lower-case hex; throws when missing, malformed or all zero. */
function hexId(value: unknown, bytes: number, name: string): string {
  const hex = optionalHexId(value, name);
  if (hex === undefined || hex.length !== bytes * 2) {
    throw new Error(`${name} must be ${bytes} bytes, not all zero (got ${hex === undefined ? 'none' : `${hex.length / 2} bytes`})`);
  }
  return hex;
}

/** An optional id as lower-case hex; undefined when absent, empty or all zero. */
function optionalHexId(value: unknown, name: string): string | undefined {
  let hex: string;
  // protobufjs leaves an absent bytes field at its default, an empty array.
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  if (value instanceof Uint8Array) hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  else if (typeof value === 'string' && /^[0-9a-fA-F]*$/.test(value) && value.length % 2 === 0) hex = value.toLowerCase();
  else throw new Error(`${name} is not hex`);
  return /^0*$/.test(hex) ? undefined : hex;
}

function isLong(value: unknown): value is { low: number; high: number } {
  return isObject(value) && typeof value.low === 'number' && typeof value.high === 'number';
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null;
}

function has(value: Obj, key: string): boolean {
  return Object.hasOwn(value, key) && value[key] !== null && value[key] !== undefined;
}

export function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A uint32/int32/enum field; JSON may spell a number as a string. */
function int(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return 0;
}
