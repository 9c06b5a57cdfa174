/**
 * Size caps: a JSON body cut until its UTF-8 size fits a limit. Generic over JSON; knows only the
 * top-level keys that must survive (identity, timing, name) and the meta essentials.
 *
 * Stages, each tried only when the previous one was not enough:
 * 1. cut the largest strings (values and keys) to a common length, on a character boundary, each
 *    with a visible marker `…[truncated N bytes]`;
 * 2. shorten the largest entries of the body and of its `meta`: an array keeps its first items and
 *    ends with `…[truncated N items]`, any other value becomes a marker;
 * 3. reduce `meta` to its essentials (`opper.truncated`, otel kind/status/ids/scope), then add
 *    back its other (now small) entries in order while they fit;
 * 4. keep only id, trace_id, parent_id, name (cut to fit), start_time, end_time and the
 *    `opper.truncated` flag.
 */
import { META_OPPER_TRUNCATED } from './attributes.js';
import { setKey } from './values.js';

type JsonObject = Record<string, unknown>;

/** Default limit, used when a limit is not a positive number. */
export const DEFAULT_MAX_BODY_BYTES = 512 * 1024;
/** Upper bound, in bytes, of a marker. */
export const MARKER_MAX = 40;
/** Strings are never cut below this many bytes (plus the marker). */
export const MIN_KEPT = 64;
/** A marker that ends a string cut earlier (bound.ts cuts while walking, this file cuts again). */
const TRAILING_MARKER = /…\[truncated (\d+) bytes\]$/;
const TRAILING_ITEMS_MARKER = /^…\[truncated (\d+) items\]$/;
/** Top-level fields every stage keeps. */
const PROTECTED = ['id', 'trace_id', 'parent_id', 'name', 'start_time', 'end_time'];
/** Meta entries stage 3 keeps, when their values are small scalars. */
const ESSENTIAL_META = [
  META_OPPER_TRUNCATED,
  'otel.kind',
  'otel.status_code',
  'otel.trace_id',
  'otel.span_id',
  'otel.parent_span_id',
  'otel.scope.name',
  'otel.scope.version',
];
const ESSENTIAL_MAX_BYTES = 256;

/** The visible marker that ends a cut value. */
export function truncationMarker(removedBytes: number): string {
  return `…[truncated ${removedBytes} bytes]`;
}

/** A usable limit: positive and whole, or the default. */
export function normalizeMaxBytes(max: unknown): number {
  return typeof max === 'number' && max >= 1 ? Math.floor(max) : DEFAULT_MAX_BODY_BYTES;
}

/** UTF-8 size of a string. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Whether `json` is at most `max` UTF-8 bytes; counts bytes only when the length leaves doubt. */
export function fitsBytes(json: string, max: number): boolean {
  return json.length * 3 <= max || (json.length <= max && utf8Bytes(json) <= max);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Bytes a string takes inside JSON text, quotes excluded, or less: its UTF-8 size, which escapes
 * (quotes, backslashes, control characters) only add to. Planning cuts with this lower bound still
 * saves at least what was planned, because cutString counts the exact JSON bytes it keeps.
 */
function stringBytes(s: string): number {
  return utf8Bytes(s);
}

/** Bytes of a value as JSON text (`null` for what JSON cannot write). */
function jsonBytes(value: unknown): number {
  return utf8Bytes(JSON.stringify(value) ?? 'null');
}

/** Bytes an earlier cut removed from `s` (its trailing marker says), and where that marker starts. */
function earlierCut(s: string): { at: number; removed: number } | undefined {
  if (!s.endsWith(' bytes]')) return undefined;
  const match = TRAILING_MARKER.exec(s.slice(-MARKER_MAX));
  return match === null ? undefined : { at: s.length - match[0].length, removed: Number(match[1]) };
}

/**
 * The longest prefix of `s` taking at most `budget` bytes in JSON text, never splitting a
 * surrogate pair, followed by the marker of the UTF-8 bytes removed (those an earlier cut removed
 * included, so a string cut twice still counts from its original).
 */
export function cutString(s: string, budget: number): string {
  const earlier = earlierCut(s);
  if (earlier !== undefined) s = s.slice(0, earlier.at);
  let bytes = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    let width: number;
    let units = 1;
    if (c < 0x80) {
      if (c === 0x22 || c === 0x5c) width = 2;
      else if (c >= 0x20) width = 1;
      else width = c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    } else if (c < 0x800) {
      width = 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      width = 4;
      units = 2;
    } else {
      width = c >= 0xd800 && c <= 0xdfff ? 6 : 3; // a lone surrogate is written as \uXXXX
    }
    if (bytes + width > budget) break;
    bytes += width;
    i += units;
  }
  const kept = s.slice(0, i);
  return kept + truncationMarker(utf8Bytes(s) - utf8Bytes(kept) + (earlier?.removed ?? 0));
}

/** A string cut to `level` bytes when it takes more than `level` plus a marker; else the same string. */
function cutIfLonger(s: string, level: number): string {
  if (s.length * 3 <= level + MARKER_MAX) return s;
  return stringBytes(s) > level + MARKER_MAX ? cutString(s, level) : s;
}

/** Sizes (stringBytes) of the strings (values, and keys below the top level) that cutting could shorten. */
function collectStringSizes(value: unknown, top: boolean, sizes: number[]): void {
  if (typeof value === 'string') {
    if (value.length * 3 > MIN_KEPT + MARKER_MAX) {
      const size = stringBytes(value);
      if (size > MIN_KEPT + MARKER_MAX) sizes.push(size);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' || typeof item === 'string') collectStringSizes(item, false, sizes);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (!top) collectStringSizes(key, false, sizes);
      collectStringSizes(value[key], false, sizes);
    }
  }
}

/**
 * The highest level (bytes kept per string, at least MIN_KEPT) at which cutting every longer string
 * saves at least `excess` bytes; MIN_KEPT when even that is not enough.
 */
export function cutLevel(sizes: number[], excess: number): number {
  const saving = (level: number): number => {
    let total = 0;
    for (const size of sizes) if (size > level + MARKER_MAX) total += size - level - MARKER_MAX;
    return total;
  };
  let low = MIN_KEPT;
  let high = MIN_KEPT;
  for (const size of sizes) if (size > high) high = size;
  if (saving(low) < excess) return low;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (saving(mid) >= excess) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** A copy of the tree with every string (and key below the top level) longer than `level` cut. */
function cutTree(value: unknown, level: number, top: boolean): unknown {
  if (typeof value === 'string') return cutIfLonger(value, level);
  if (Array.isArray(value)) return value.map((item) => cutTree(item, level, false));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) setKey(out, top ? key : cutIfLonger(key, level), cutTree(value[key], level, false));
  return out;
}

/** Bytes of an array item as JSON text; numbers without a JSON.stringify call each. */
function itemBytes(item: unknown): number {
  return typeof item === 'number' && Number.isFinite(item) ? String(item).length : jsonBytes(item);
}

/** The items an array's trailing marker item (from an earlier cut) says were left out. */
function earlierItems(array: readonly unknown[]): number {
  const last = array.at(-1);
  const match = typeof last === 'string' ? TRAILING_ITEMS_MARKER.exec(last) : null;
  return match === null ? 0 : Number(match[1]) - 1; // the marker item itself is not one of them
}

/** The first items of `array` that fit `budget` bytes, then a marker item counting the rest. */
function shortenArray(array: readonly unknown[], budget: number): unknown[] {
  let used = 2 + MARKER_MAX + 2; // brackets, marker item and its quotes
  let kept = 0;
  while (kept < array.length) {
    const width = itemBytes(array[kept]) + 1;
    if (used + width > budget) break;
    used += width;
    kept++;
  }
  const out = array.slice(0, kept);
  out.push(`…[truncated ${array.length - kept + (kept < array.length ? earlierItems(array) : 0)} items]`);
  return out;
}

/** Stage 2: shortens the largest entries of `root` and `root.meta` until `excess` bytes are saved. */
function shortenLargest(root: JsonObject, excess: number): void {
  const meta = isObject(root.meta) ? root.meta : undefined;
  const entries: { owner: JsonObject; key: string; size: number }[] = [];
  for (const key of Object.keys(root)) {
    if (PROTECTED.includes(key) || (key === 'meta' && meta !== undefined)) continue;
    entries.push({ owner: root, key, size: jsonBytes(root[key]) });
  }
  if (meta !== undefined) {
    for (const key of Object.keys(meta)) {
      if (key !== META_OPPER_TRUNCATED) entries.push({ owner: meta, key, size: jsonBytes(meta[key]) });
    }
  }
  entries.sort((a, b) => b.size - a.size);
  for (const { owner, key, size } of entries) {
    if (excess <= 0 || size <= MARKER_MAX + 2) break;
    const value = owner[key];
    const earlier = typeof value === 'string' ? (earlierCut(value)?.removed ?? 0) : 0;
    const shorter = Array.isArray(value) ? shortenArray(value, size - excess) : truncationMarker(size + earlier);
    const saved = size - jsonBytes(shorter);
    if (saved <= 0) continue;
    setKey(owner, key, shorter);
    excess -= saved;
  }
}

/**
 * Stage 3: `meta` reduced to its essential small scalars, then refilled with the other entries, in
 * order, while the body stays within `room` bytes more than it takes with the essentials alone.
 */
function essentialMeta(meta: JsonObject, room: (essentials: JsonObject) => number): JsonObject {
  const out: JsonObject = {};
  for (const key of ESSENTIAL_META) {
    const value = meta[key];
    if (value === null || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (typeof value === 'string' && jsonBytes(value) <= ESSENTIAL_MAX_BYTES) out[key] = value;
  }
  let left = room(out);
  for (const key of Object.keys(meta)) {
    if (left <= 0) break;
    if (Object.hasOwn(out, key)) continue;
    const width = jsonBytes(key) + jsonBytes(meta[key]) + 2; // colon and comma
    if (width > left) continue;
    setKey(out, key, meta[key]);
    left -= width;
  }
  return out;
}

/** Stage 4: only the protected fields, with the name cut to whatever room is left. */
function essentialsOnly(root: JsonObject, max: number): string {
  const out: JsonObject = {};
  for (const key of PROTECTED) if (root[key] !== undefined) out[key] = root[key];
  if (isObject(root.meta)) out.meta = { [META_OPPER_TRUNCATED]: true };
  const name = out.name;
  if (typeof name === 'string') {
    out.name = '';
    const room = max - utf8Bytes(JSON.stringify(out)) - MARKER_MAX;
    if (jsonBytes(name) - 2 > room + MARKER_MAX) out.name = cutString(name, Math.max(0, room));
    else out.name = name;
  }
  return JSON.stringify(out);
}

/**
 * Serialises `root`, cutting it (stages above) until it is at most `max` UTF-8 bytes. A body
 * whose `meta` is an object gets `opper.truncated: true` there when anything is cut. The result
 * exceeds `max` only when even the essentials do not fit (a limit of a few hundred bytes).
 */
export function capJson(root: unknown, max: number, json = JSON.stringify(root) ?? 'null'): string {
  if (fitsBytes(json, max)) return json;
  let tree = root;
  let current = true; // json is the text of tree
  if (isObject(root) && isObject(root.meta) && root.meta[META_OPPER_TRUNCATED] !== true) {
    tree = { ...root, meta: { ...root.meta, [META_OPPER_TRUNCATED]: true } };
    current = false;
  }
  // Stage 1: cut the largest strings; later passes absorb what an earlier one misjudged.
  for (let pass = 0; pass < 3; pass++) {
    if (!current) json = JSON.stringify(tree) ?? 'null';
    current = true;
    const excess = utf8Bytes(json) - max;
    if (excess <= 0) return json;
    const sizes: number[] = [];
    collectStringSizes(tree, true, sizes);
    if (sizes.length === 0) break;
    tree = cutTree(tree, cutLevel(sizes, excess), true);
    current = false;
  }
  if (!current) json = JSON.stringify(tree) ?? 'null';
  if (fitsBytes(json, max)) return json;
  if (!isObject(tree)) return JSON.stringify(truncationMarker(utf8Bytes(json)));
  // Stage 2: shorten the largest entries, in a copy (arrays are never changed in place).
  const body: JsonObject = { ...tree };
  if (isObject(body.meta)) body.meta = { ...body.meta };
  shortenLargest(body, utf8Bytes(json) - max);
  json = JSON.stringify(body);
  if (fitsBytes(json, max)) return json;
  // Stage 3: meta down to its essentials.
  if (isObject(body.meta)) {
    body.meta = essentialMeta(body.meta, (essentials) => max - utf8Bytes(JSON.stringify({ ...body, meta: essentials })));
    json = JSON.stringify(body);
    if (fitsBytes(json, max)) return json;
  }
  // Stage 4: identity, timing and name only.
  return essentialsOnly(body, max);
}

/**
 * Re-caps an already serialised body to `maxBodyBytes` (e.g. much harder after a 413): same stages
 * as the translation, identity and timing kept. Returned unchanged when it already fits; text that
 * is not JSON and does not fit becomes `{}`. Never throws.
 */
export function shrinkBody(json: string, maxBodyBytes: number): string {
  const max = normalizeMaxBytes(maxBodyBytes);
  if (typeof json !== 'string') return '{}';
  if (fitsBytes(json, max)) return json;
  try {
    return capJson(JSON.parse(json), max);
  } catch {
    return '{}';
  }
}
