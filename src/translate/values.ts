/** JSON-safe values: what Opper can store (docs/mapping.md, "Values Opper cannot store"). */
import { redactAttribute } from './redact.js';

/** `String.prototype.isWellFormed`/`toWellFormed` (ES2024; in Node >= 20, not in the ES2023 lib typings). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}
const HAS_WELL_FORMED = typeof (String.prototype as unknown as Partial<WellFormed>).isWellFormed === 'function';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const REPLACEMENT = '\uFFFD';

/** Nesting deeper than this (only possible with values OTel does not allow) is cut off. */
const MAX_DEPTH = 16;
const TOO_DEEP = '[too deeply nested]';
const UNREADABLE = '[unreadable value]';

/** The string with lone UTF-16 surrogates and NUL characters replaced by U+FFFD (same string when clean). */
export function cleanString(s: string): string {
  if (HAS_WELL_FORMED) {
    if ((s as unknown as WellFormed).isWellFormed() && !s.includes('\0')) return s;
    return (s as unknown as WellFormed).toWellFormed().replaceAll('\0', REPLACEMENT);
  }
  if (!LONE_SURROGATE.test(s) && !s.includes('\0')) return s;
  return s.replace(LONE_SURROGATES, REPLACEMENT).replaceAll('\0', REPLACEMENT);
}

/** Sets `obj[key]`, as an own property even for the key `__proto__`. */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * A JSON-safe version of any value: strings cleaned, NaN and ±Infinity as null, bigint as its
 * digits, arrays element by element (the same array when nothing changed), other objects copied
 * with clean keys. `undefined` for what JSON leaves out (undefined, functions, symbols).
 */
export function cleanValue(value: unknown, depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return cleanString(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return TOO_DEEP;
      try {
        return Array.isArray(value) ? cleanArray(value, depth) : cleanObject(value, depth);
      } catch {
        return UNREADABLE;
      }
    default:
      return undefined;
  }
}

function cleanArray(array: readonly unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    let clean: unknown;
    if (typeof item === 'number') clean = Number.isFinite(item) ? item : null;
    else if (typeof item === 'string') clean = cleanString(item);
    else clean = cleanValue(item, depth + 1) ?? null; // holes and undefined become null, as in JSON
    if (copy === undefined && clean !== item) copy = array.slice(0, i);
    if (copy !== undefined) copy.push(clean);
  }
  return copy ?? (array as unknown[]);
}

function cleanObject(value: object, depth: number): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return cleanValue(toJSON.call(value), depth + 1);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const clean = cleanValue((value as Record<string, unknown>)[key], depth + 1);
    if (clean !== undefined) setKey(out, cleanString(key), clean);
  }
  return out;
}

/**
 * Copies clean attributes into `into` (keys and values cleaned; null, undefined and unwritable values left out),
 * skipping the keys in `skip`, secrets replaced when `redact` is set. Returns how many entries were copied.
 */
export function copyAttributes(
  attributes: Readonly<Record<string, unknown>> | undefined,
  into: Record<string, unknown>,
  skip?: ReadonlySet<string>,
  redact = false,
): number {
  if (attributes == null || typeof attributes !== 'object') return 0;
  let copied = 0;
  for (const key of Object.keys(attributes)) {
    const raw = attributes[key];
    if (raw == null || skip?.has(key)) continue;
    const value = cleanValue(redact ? redactAttribute(key, raw) : raw);
    if (value === undefined) continue;
    setKey(into, cleanString(key), value);
    copied++;
  }
  return copied;
}

/** The clean attributes as a new object, or undefined when there are none. */
export function cleanAttributes(
  attributes: Readonly<Record<string, unknown>> | undefined,
  redact = false,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  return copyAttributes(attributes, out, undefined, redact) > 0 ? out : undefined;
}

/** A value as text: a string is kept (cleaned), anything else is JSON-encoded; undefined for null/undefined. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return cleanString(value);
  if (value == null) return undefined;
  const clean = cleanValue(value);
  return clean === undefined ? undefined : JSON.stringify(clean);
}
