/**
 * Cut while walking: a view of a span whose values take at most about one body's worth of work to
 * translate, however big the span is (a 1,000,000-number attribute, 10,000 events, 100 attributes
 * of 100 KB). cap.ts then only has to fit what is left, exactly. The cuts carry the same visible
 * markers as cap.ts (`…[truncated N bytes]`, a last array item `…[truncated N items]`), and
 * cap.ts counts from the original when it cuts a string again.
 *
 * Sizes here are lower bounds of JSON bytes, read without serialising (a string's length, a
 * number's digits), and the whole span may take two bodies (the create and the PATCH): so the walk
 * cuts only spans whose bodies could not fit anyway, and a span that fits is handed back as it is
 * (its bodies byte-identical to a translation without the walk). cap.ts measures exactly.
 */
import { elideBinary, type ScanBudget } from './binary.js';
import { describeByteArray } from './media.js';
import { cutLevel, cutString, MARKER_MAX, MIN_KEPT } from './cap.js';
import type { ReadableSpanLike, TimedEventLike } from './types.js';
import { setKey } from './values.js';

/** What the walk kept of a span. `span` is the span itself when nothing had to be cut. */
export interface BoundedSpan {
  span: ReadableSpanLike;
  cut: boolean;
  /** Events and links left out at the end of their lists (meta ends each list with a marker). */
  eventsCut: number;
  linksCut: number;
  /** At least the JSON bytes of what the view holds, as the walk measured it (absent: not walked). */
  width?: number;
}

type Obj = Record<string, unknown>;
/** Nested values deeper than this are left to values.ts, which writes a marker there. */
const MAX_DEPTH = 16;
/** JSON bytes of an event or link besides its name and attributes, at least: braces, keys, time or ids. */
const ENTRY_OVERHEAD = 48;
/** Characters, at least, of a number that is not an integer (`0.5`). */
const MIN_FRACTION_WIDTH = 3;
/** Bytes, at least, of a value the walk leaves to values.ts (a Date, a bigint, an object with toJSON). */
const OPAQUE_WIDTH = 2;

/**
 * Share of its room a value keeps once it is known not to fit: such a span is truncated anyway, and
 * cutting it well within the limit leaves cap.ts little to redo (cap.ts is exact but costly on
 * huge lists, measuring item by item).
 */
const CUT_SHARE = 0.5;

/** Whether any cut was made; the budget of describing binary payloads, while they are described. */
class Walk {
  cut = false;
  /** A payload was described (the span changed without being cut). */
  described = false;
  scan: ScanBudget | undefined;
}

/** Characters of a span's attributes and events read one by one for binary payloads (binary.ts): this many bodies' worth, at least 1 MiB. */
const SCAN_BODIES = 4;
const MIN_SCAN_CHARS = 1024 * 1024;

/**
 * The span with its attributes bounded to about two bodies (`max` bytes each), any one value, the
 * event list and the link list to one body: strings of
 * the span's attributes are cut to one common length (the largest first, as cap.ts does), arrays
 * and lists keep their first items, other values (resource, scope, events' and links' attributes)
 * keep what fits in order. Reads each value at most once, and never more of it than fits.
 * `describeBinary`: inline binary payloads in the attributes and events become their description
 * (binary.ts) before anything is measured, so that what follows an image is not cut.
 */
export function boundSpan(span: ReadableSpanLike, max: number, describeBinary = false): BoundedSpan {
  const walk = new Walk();
  let left = 2 * max;
  const resource = boundObject(span.resource?.attributes, max, walk, 1);
  left -= resource.width;
  const scope = span.instrumentationScope;
  const scopeAttributes = boundObject(scope?.attributes, max, walk, 1);
  left -= scopeAttributes.width;
  const name = boundString(span.name, max, walk);
  const statusMessage = boundString(span.status?.message, max, walk);
  if (describeBinary) walk.scan = { chars: Math.max(MIN_SCAN_CHARS, SCAN_BODIES * max) };
  const attributes = boundAttributes(span.attributes, Math.max(0, left), max, walk);
  left -= attributes.width;
  // A list gets what the attributes left (at least an eighth of a body), at most one body.
  const events = boundList(span.events, listRoom(left, max), walk, boundEvent);
  left -= events.width;
  walk.scan = undefined;
  const links = boundList(span.links, listRoom(left, max), walk, boundLink);
  const width =
    resource.width + scopeAttributes.width + attributes.width + events.width + links.width + (typeof name === 'string' ? name.length : 0);
  const bounded: BoundedSpan = { span, cut: walk.cut, eventsCut: events.cut, linksCut: links.cut, width };
  if (!walk.cut && !walk.described) return bounded;
  bounded.span = {
    ...spanFields(span),
    name: name as string,
    status: statusMessage === span.status?.message ? span.status : { ...span.status, message: statusMessage as string },
    attributes: attributes.value as ReadableSpanLike['attributes'],
    events: events.value as TimedEventLike[],
    links: links.value as ReadableSpanLike['links'],
    resource: { attributes: resource.value as ReadableSpanLike['attributes'] },
    instrumentationScope:
      scope === undefined || scopeAttributes.value === scope.attributes
        ? scope
        : { ...scope, attributes: scopeAttributes.value as ReadableSpanLike['attributes'] },
  };
  return bounded;
}

function listRoom(left: number, max: number): number {
  return Math.min(max, Math.max(left, max / 8));
}

/** The fields a view keeps as they are (read once: they may be getters). */
function spanFields(span: ReadableSpanLike): ReadableSpanLike {
  const context = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    parentSpanContext: span.parentSpanContext,
    parentSpanId: span.parentSpanId,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

interface Bounded {
  value: unknown;
  width: number;
}

/** The text with its binary payloads described, while the walk describes them. */
function described(text: string, walk: Walk): string {
  if (walk.scan === undefined) return text;
  const out = elideBinary(text, walk.scan);
  if (out !== text) walk.described = true;
  return out;
}

/** A string (its payloads described) cut to `room` bytes when longer (other values as they are). */
function boundString(value: unknown, room: number, walk: Walk): unknown {
  if (typeof value !== 'string') return value;
  const text = described(value, walk);
  if (text.length + 2 <= room) return text;
  walk.cut = true;
  return cutString(text, Math.max(0, room - 2 - MARKER_MAX));
}

/**
 * The span's own attributes: non-string values as `boundObject` does, then the strings cut to one
 * common length (cap.ts's `cutLevel`) so that all of them fit `room`; a key only when it is longer
 * than a whole body (`max`), so that keys stay distinct.
 */
function boundAttributes(attributes: Obj | undefined, room: number, max: number, walk: Walk): Bounded {
  if (attributes == null || typeof attributes !== 'object') return { value: attributes, width: 0 };
  const keys = Object.keys(attributes);
  const values: unknown[] = new Array(keys.length);
  const sizes: number[] = [];
  let fixed = 2; // keys and values other than strings
  let strings = 0;
  let changed = false;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const raw = attributes[key];
    fixed += key.length + 4;
    if (typeof raw === 'string') {
      const text = described(raw, walk);
      if (text !== raw) changed = true;
      values[k] = text;
      strings += text.length + 2;
      if (text.length > MIN_KEPT + MARKER_MAX) sizes.push(text.length);
      continue;
    }
    // One value takes at most one body, whichever body it lands in.
    const bounded = boundValue(raw, Math.max(0, Math.min(max, room - fixed)), walk, 1);
    values[k] = bounded.value;
    fixed += bounded.width;
    if (bounded.value !== raw) changed = true;
  }
  let width = fixed + strings;
  if (width > room && sizes.length > 0) {
    const level = cutLevel(sizes, width - room * CUT_SHARE);
    for (let k = 0; k < keys.length; k++) {
      const value = values[k];
      if (typeof value !== 'string' || value.length <= level + MARKER_MAX) continue;
      values[k] = cutString(value, level);
      width -= value.length - (values[k] as string).length;
      walk.cut = changed = true;
    }
  }
  let renamed = false;
  const outKeys = keys.map((key) => {
    if (key.length + 4 <= max) return key;
    renamed = walk.cut = true;
    return cutString(key, max - 4 - MARKER_MAX);
  });
  if (!changed && !renamed) return { value: attributes, width };
  const out: Obj = {};
  for (let k = 0; k < keys.length; k++) setKey(out, outKeys[k]!, values[k]);
  return { value: out, width };
}

/** Any value bounded to about `room` bytes; the same value when it fits. */
function boundValue(value: unknown, room: number, walk: Walk, depth: number): Bounded {
  switch (typeof value) {
    case 'string': {
      const kept = boundString(value, room, walk) as string;
      return { value: kept, width: kept.length + 2 };
    }
    case 'number':
      return { value, width: numberWidth(value) };
    case 'boolean':
      return { value, width: 4 };
    case 'object':
      if (value === null) return { value, width: 4 };
      if (depth >= MAX_DEPTH) return { value, width: OPAQUE_WIDTH };
      try {
        if (Array.isArray(value)) return boundArray(value, room, walk, depth);
        if (isPlain(value)) return boundObject(value as Obj, room, walk, depth);
      } catch {
        // a getter that throws: values.ts writes its marker
      }
      return { value, width: OPAQUE_WIDTH };
    default:
      return { value, width: OPAQUE_WIDTH };
  }
}

/** The first items that fit `room`, then a marker item counting the rest; the same array when all fit. */
function boundArray(array: readonly unknown[], room: number, walk: Walk, depth: number): Bounded {
  const bytes = walk.scan !== undefined && typeof array[0] === 'number' ? describeByteArray(array) : undefined;
  if (bytes !== undefined) {
    walk.described = true;
    return { value: bytes, width: bytes.length + 2 };
  }
  let copy: unknown[] | undefined;
  let width = 2;
  let i = 0;
  const n = array.length;
  const shareWidth = room * CUT_SHARE;
  let shareItems = -1; // how many fit in CUT_SHARE of the room
  for (; i < n; i++) {
    const item = array[i];
    if (shareItems < 0 && width > shareWidth) shareItems = i;
    // Numbers, the common huge case: counted exactly up to the share that is kept if the array
    // does not fit, then only as a lower bound (no conversion to text) to learn whether it fits.
    if (typeof item === 'number') {
      const w = (shareItems < 0 || Number.isInteger(item) ? numberWidth(item) : MIN_FRACTION_WIDTH) + 1;
      if (width + w > room) break;
      width += w;
      copy?.push(item);
      continue;
    }
    const itemRoom = room - width - 1;
    // Near the end only what fits whole is taken: a string cut to a few bytes says little.
    if (itemRoom < MIN_KEPT + MARKER_MAX && !(typeof item === 'string' && item.length + 2 <= itemRoom)) break;
    const bounded = boundValue(item, itemRoom, walk, depth + 1);
    if (bounded.value !== item) copy ??= array.slice(0, i);
    copy?.push(bounded.value);
    width += bounded.width + 1;
    if (width > room) {
      i++;
      break;
    }
  }
  if (i >= n) return { value: copy ?? array, width };
  walk.cut = true;
  const kept = shareItems < 1 ? i : shareItems;
  const out = (copy ?? array).slice(0, kept);
  out.push(`…[truncated ${n - kept} items]`);
  return { value: out, width: (kept === i ? width : shareWidth) + MARKER_MAX };
}

/** Entries in order while they fit `room`; later string values keep only their marker. */
function boundObject(object: Obj | undefined, room: number, walk: Walk, depth: number): Bounded {
  if (object == null || typeof object !== 'object') return { value: object, width: 0 };
  let out: Obj | undefined;
  let width = 2;
  const keys = Object.keys(object);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const raw = object[key];
    width += key.length + 4;
    const bounded = boundValue(raw, Math.max(0, room - width), walk, depth + 1);
    width += bounded.width;
    if (bounded.value !== raw && out === undefined) {
      out = {};
      for (let j = 0; j < k; j++) setKey(out, keys[j]!, object[keys[j]!]);
    }
    if (out !== undefined) setKey(out, key, bounded.value);
  }
  return { value: out ?? object, width };
}

/** The first entries of a list that fit `room`, each bounded by `one`. */
function boundList<T>(
  list: readonly T[] | undefined,
  room: number,
  walk: Walk,
  one: (item: T, room: number, walk: Walk) => Bounded,
): Bounded & { cut: number } {
  if (!Array.isArray(list) || list.length === 0) return { value: list, width: 0, cut: 0 };
  let copy: T[] | undefined;
  let width = 2;
  let i = 0;
  const share = { items: -1, width: 0 }; // what fits in CUT_SHARE of the room
  for (; i < list.length && width < room; i++) {
    const item = list[i] as T;
    const bounded = one(item, room - width, walk);
    if (bounded.value !== item) copy ??= list.slice(0, i);
    copy?.push(bounded.value as T);
    if (share.items < 0 && width + bounded.width + 1 > room * CUT_SHARE) Object.assign(share, { items: Math.max(1, i), width });
    width += bounded.width + 1;
  }
  if (i >= list.length) return { value: copy ?? list, width, cut: 0 };
  walk.cut = true;
  const kept = share.items < 0 ? i : share.items;
  return { value: (copy ?? list).slice(0, kept), width: share.items < 0 ? width : share.width, cut: list.length - kept };
}

function boundEvent(event: TimedEventLike, room: number, walk: Walk): Bounded {
  const name = boundString(event?.name, room, walk);
  const used = ENTRY_OVERHEAD + (typeof name === 'string' ? name.length : 0);
  const attributes = boundObject(event?.attributes as Obj | undefined, Math.max(0, room - used), walk, 1);
  if (name === event?.name && attributes.value === event?.attributes) return { value: event, width: used + attributes.width };
  return { value: { ...event, name, attributes: attributes.value }, width: used + attributes.width };
}

function boundLink(link: ReadableSpanLike['links'][number], room: number, walk: Walk): Bounded {
  const attributes = boundObject(link?.attributes as Obj | undefined, Math.max(0, room - ENTRY_OVERHEAD), walk, 1);
  if (attributes.value === link?.attributes) return { value: link, width: ENTRY_OVERHEAD + attributes.width };
  return { value: { ...link, attributes: attributes.value }, width: ENTRY_OVERHEAD + attributes.width };
}

/** Characters of a number as JSON writes it (`null` for NaN and ±Infinity); integers without a call. */
function numberWidth(n: number): number {
  if (!Number.isInteger(n) || n >= 1e15 || n <= -1e15) return Number.isFinite(n) ? String(n).length : 4;
  let width = n < 0 ? 2 : 1;
  for (let a = Math.abs(n); a >= 10; a /= 10) width++;
  return width;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
