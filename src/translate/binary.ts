/**
 * Inline binary payloads (base64 runs, `data:` URLs, JSON byte lists) found in text and replaced by
 * a short description in place: `[image: image/png, 700 KB, base64 omitted]`. The description has
 * no quote or backslash, so a JSON text stays valid JSON and the parts around it stay readable.
 *
 * Work is bounded by a budget of characters read one by one (`ScanBudget`): a base64 run is
 * recognised from its first PROBE characters, then its end is found with native `indexOf` (the
 * closing quote, or prose) and checked by samples, so a megabyte of base64 costs a few hundred reads.
 * Past the budget, the rest of the text is left as it is (the size caps then cut it).
 */
import { describe, formatSize, MIN_BYTES, sniff } from './media.js';

/** Characters still to be read one by one in this span. */
export interface ScanBudget {
  chars: number;
}

/** Base64 runs at least this long are binary (data: URLs and recognised formats: any length from MIN_TYPED_RUN). */
const MIN_RUN = 768;
const MIN_TYPED_RUN = 64;
/** Characters of a run read one by one before its end is looked for at once. */
const PROBE = 256;
/** Characters read at evenly spaced places, and at the end, to check a run found at once. */
const SAMPLES = 128;
const TAIL = 64;
/** Items of a JSON byte list read one by one before its end is looked for at once. */
const BYTE_PROBE = 64;
/** How far before a run a media type or `data:` prefix is looked for. */
const LOOKBACK = 256;
/** Wrapped base64 (MIME, PEM) has lines at least this long. */
const MIN_LINE = 60;
/** Texts shorter than this hold no payload worth describing: not read. */
const MIN_TEXT = MIN_TYPED_RUN + 16;

const B64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') B64[c.charCodeAt(0)] = 1;
const isB64 = (c: number): boolean => c < 128 && B64[c] === 1;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const QUOTE = 34;
const BACKSLASH = 92;
const MEDIA_KEY = /"(?:mime_type|mimeType|media_type|mediaType|mime)"\s*:\s*"([\w.+-]+\/[\w.+-]+)"/g;
const DATA_PREFIX = /data:([\w.+-]+\/[\w.+-]+)?(?:;[\w.+-]+=[\w.+-]+)*;base64,$/;

/**
 * The text with every binary payload replaced by its description; the same string when none.
 * Only every MIN_TYPED_RUN-th character is looked at until one is base64 (a run that long must
 * cover one of them), so prose costs a few reads per word looked at, not one per character.
 */
export function elideBinary(text: string, budget: ScanBudget): string {
  if (text.length < MIN_TEXT || budget.chars <= 0) return text;
  let out: string[] | undefined;
  let kept = 0; // text before this index is in `out`
  let next: NextOf | undefined;
  const n = text.length;
  const replace = (start: number, end: number, description: string): void => {
    (out ??= []).push(text.slice(kept, start), description);
    kept = end;
  };
  for (let at = MIN_TYPED_RUN - 1; at < n && --budget.chars >= 0; at += MIN_TYPED_RUN) {
    const list = byteListAround(text, at, kept, budget);
    if (list !== undefined) {
      replace(list.start, list.end, list.description);
      at = list.end - 1;
      continue;
    }
    if (!isB64(text.charCodeAt(at))) continue;
    let start = at;
    while (start > kept && isB64(text.charCodeAt(start - 1))) start--;
    budget.chars -= at - start;
    const end = runEnd(text, start, at + 1, budget, () => (next ??= new NextOf(text)));
    if (end === undefined) break; // out of budget in the middle of a run
    const found = payload(text, start, end);
    if (found !== undefined && found.start >= kept) replace(found.start, end, found.description);
    at = end - 1;
  }
  if (out === undefined) return text;
  out.push(text.slice(kept));
  return out.join('');
}

/**
 * Where the run that starts at `start` ends, read one by one from `from` (JSON's `\/` and, after a
 * line of MIN_LINE or more, line breaks inside it), or found at once once it is PROBE long.
 * Undefined when the budget ran out first.
 */
function runEnd(text: string, start: number, from: number, budget: ScanBudget, next: () => NextOf): number | undefined {
  const n = text.length;
  let end = from;
  let line = end - start;
  let probed = false;
  while (end < n) {
    if (--budget.chars < 0) return undefined;
    const c = text.charCodeAt(end);
    let wrap = 0;
    if (isB64(c)) {
      end++;
      line++;
    } else if (c === BACKSLASH && text.charCodeAt(end + 1) === 47) {
      end += 2;
      line++;
    } else if (line >= MIN_LINE && (wrap = lineBreak(text, end)) > 0) {
      end += wrap;
      line = 0;
    } else break;
    if (!probed && end - start >= PROBE) {
      probed = true;
      const stop = runEndAtOnce(next(), end, budget);
      if (stop !== undefined) return stop;
    }
  }
  return text.charCodeAt(end) === 61 ? padEnd(text, end) : end;
}

/** Length of the line break at `at` (raw CR, LF, CRLF, or JSON's `\n`, `\r`, `\r\n`); 0 when none. */
function lineBreak(text: string, at: number): number {
  let length = 0;
  for (;;) {
    const c = text.charCodeAt(at + length);
    const escaped = c === BACKSLASH ? text.charCodeAt(at + length + 1) : 0;
    if (c === 10 || c === 13) length++;
    else if (escaped === 110 || escaped === 114) length += 2;
    else return length;
  }
}

/**
 * The byte list that the character at `at` may be in, when its opening bracket is at most
 * MIN_TYPED_RUN before (where the first character looked at inside a list is).
 */
function byteListAround(
  text: string,
  at: number,
  kept: number,
  budget: ScanBudget,
): { start: number; end: number; description: string } | undefined {
  const c = text.charCodeAt(at);
  if (!(isDigit(c) || c === 44 || c === QUOTE || c === 58 || c === 32 || c === 91 || c === 123)) return undefined;
  const from = Math.max(kept, at - MIN_TYPED_RUN - 8);
  const near = text.slice(from, at + 1);
  const open = from + Math.max(near.lastIndexOf('['), near.lastIndexOf('{'));
  if (open < from) return undefined;
  const list = byteList(text, open, budget);
  return list === undefined ? undefined : { start: open, ...list };
}

/** A line break inside wrapped base64: a raw CR/LF, or JSON's `\n`, `\r`, `\/` escapes (at the backslash). */
function isWrap(text: string, c: number, i: number): boolean {
  if (c === 10 || c === 13) return true;
  if (c === BACKSLASH) {
    const next = text.charCodeAt(i + 1);
    return next === 110 || next === 114 || next === 47;
  }
  return false;
}

function padEnd(text: string, i: number): number {
  let end = i;
  while (end < i + 2 && text.charCodeAt(end) === 61) end++;
  return end;
}

/**
 * Where each character next occurs in one text, from a position on: found with native `indexOf`
 * and remembered, so that the searches of one text together read it at most once per character.
 */
class NextOf {
  readonly #at = new Map<string, number>();
  constructor(readonly text: string) {}
  find(char: string, from: number): number {
    const known = this.#at.get(char);
    if (known !== undefined && (known < 0 || known >= from)) return known;
    const at = this.text.indexOf(char, from);
    this.#at.set(char, at);
    return at;
  }
}

/** Characters that end a base64 run (the quote closing a JSON string, or the prose around it). */
const RUN_ENDS = ['"', ' ', ',', '.', ':', ';', ')', ']', '}'];

/**
 * The end of a run read one by one up to `read`, found at once: the next character that ends a
 * run (or the text's end), trusted when evenly spaced samples and the last characters before it
 * are base64. Undefined when they are not (the caller reads on one by one).
 */
function runEndAtOnce(next: NextOf, read: number, budget: ScanBudget): number | undefined {
  const text = next.text;
  let stop = text.length;
  for (const char of RUN_ENDS) {
    const at = next.find(char, read);
    if (at >= 0 && at < stop) stop = at;
  }
  if (stop - read < PROBE) return undefined; // short: reading it is as cheap
  budget.chars -= SAMPLES + TAIL;
  const step = (stop - read) / SAMPLES;
  for (let k = 0; k < SAMPLES; k++) {
    const at = read + Math.floor(k * step);
    if (!isRunChar(text, at)) return undefined;
  }
  let end = stop;
  while (end > stop - 2 && text.charCodeAt(end - 1) === 61) end--; // '=' padding
  for (let at = Math.max(read, end - TAIL); at < end; at++) if (!isRunChar(text, at)) return undefined;
  return stop;
}

function isRunChar(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (isB64(c) || c === 10 || c === 13) return true;
  if (c === BACKSLASH) return isWrap(text, c, at);
  // the letter of an escape: its backslash is just before
  return text.charCodeAt(at - 1) === BACKSLASH && isWrap(text, BACKSLASH, at - 1);
}

/** The run [start, end) as a payload: its description and where the replaced text starts (a `data:` prefix included). */
function payload(text: string, start: number, end: number): { start: number; description: string } | undefined {
  const length = end - start;
  if (length < MIN_TYPED_RUN) return undefined;
  const before = text.slice(Math.max(0, start - LOOKBACK), start);
  const data = before.endsWith(';base64,') ? DATA_PREFIX.exec(before) : null;
  const sniffed = sniff(decodeHead(text, start));
  if (data === null && sniffed === undefined && (length < MIN_RUN || !looksEncoded(text, start))) return undefined;
  const declared = data?.[1] ?? declaredMedia(before);
  const media = sniffed ?? declared;
  const padding = text.charCodeAt(end - 1) === 61 ? (text.charCodeAt(end - 2) === 61 ? 2 : 1) : 0;
  const bytes = Math.floor((encodedChars(text, start, end) * 3) / 4) - padding;
  const replaced = data === null ? start : start - data[0].length;
  return { start: replaced, description: describe(media, formatSize(bytes), 'base64') };
}

/** Base64 characters in [start, end): line breaks left out, in proportion to its first characters. */
function encodedChars(text: string, start: number, end: number): number {
  const head = Math.min(end, start + 4 * PROBE);
  let breaks = 0;
  for (let at = start; at < head; at++) if (!isB64(text.charCodeAt(at))) breaks++;
  return Math.round((end - start) * (1 - breaks / (head - start)));
}

/** The media type a JSON key declares in the same object, before the run (the last one). */
function declaredMedia(before: string): string | undefined {
  let media: string | undefined;
  for (const match of before.slice(before.lastIndexOf('}') + 1).matchAll(MEDIA_KEY)) media = match[1];
  return media;
}

/** Upper case, lower case and digits all in the run's first characters: base64, not a long word or hex. */
function looksEncoded(text: string, start: number): boolean {
  let upper = false;
  let lower = false;
  let digit = false;
  const end = Math.min(text.length, start + PROBE);
  for (let at = start; at < end && !(upper && lower && digit); at++) {
    const c = text.charCodeAt(at);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    else if (isDigit(c)) digit = true;
  }
  return upper && lower && digit;
}

/** The first bytes a base64 run encodes (wrapped lines skipped). */
function decodeHead(text: string, start: number): Uint8Array {
  let head = '';
  for (let at = start; at < text.length && head.length < 24; at++) {
    const c = text.charCodeAt(at);
    if (isB64(c)) head += text[at];
    else if (!isRunChar(text, at)) break;
  }
  return Buffer.from(head.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
}

/**
 * A JSON list of byte values at `open` (`[137,80,...]`, or `{"0":137,"1":80,...}` as JSON writes a
 * Uint8Array), replaced by its description as a JSON string. Its first items are read one by one,
 * its end found at once and checked by samples.
 */
function byteList(text: string, open: number, budget: ScanBudget): { end: number; description: string } | undefined {
  const keyed = text.charCodeAt(open) === 123;
  const first = text.charCodeAt(open + 1);
  if (!(keyed ? first === QUOTE && isDigit(text.charCodeAt(open + 2)) : isDigit(first))) return undefined;
  const values: number[] = [];
  let at = open + 1;
  while (values.length < BYTE_PROBE) {
    if (keyed) {
      const key = readInt(text, at + 1);
      if (
        text.charCodeAt(at) !== QUOTE ||
        key === undefined ||
        key.value !== values.length ||
        text.charCodeAt(key.end) !== QUOTE ||
        text.charCodeAt(key.end + 1) !== 58
      )
        return undefined;
      at = key.end + 2;
    }
    const value = readInt(text, at);
    if (value === undefined || value.value > 255) return undefined;
    values.push(value.value);
    at = value.end;
    if (text.charCodeAt(at) !== 44) return undefined; // ',': a list that ends this soon is too short
    at++;
    if (text.charCodeAt(at) === 32) at++;
  }
  budget.chars -= at - open + SAMPLES;
  const close = text.indexOf(keyed ? '}' : ']', at);
  if (close < 0) return undefined;
  const step = (close - at) / SAMPLES;
  for (let k = 0; k < SAMPLES; k++) {
    const sample = at + Math.floor(k * step);
    const c = text.charCodeAt(sample);
    if (isDigit(c) ? !isByteAt(text, sample, keyed) : !(c === 44 || c === 32 || (keyed && (c === QUOTE || c === 58)))) return undefined;
  }
  const count = keyed ? lastKey(text, close) + 1 : Math.round(((close - open) * values.length) / (at - open));
  if (!(count >= MIN_BYTES)) return undefined;
  const size = keyed ? formatSize(count) : `~${formatSize(count)}`;
  return { end: close + 1, description: `"${describe(sniff(Uint8Array.from(values)), size, 'byte array')}"` };
}

/** Whether the number around `at` is a byte value (0-255), or in a keyed list a key. */
function isByteAt(text: string, at: number, keyed: boolean): boolean {
  let start = at;
  while (start > at - 7 && isDigit(text.charCodeAt(start - 1))) start--;
  if (keyed && text.charCodeAt(start - 1) === QUOTE) return true;
  const value = readInt(text, start);
  return value !== undefined && value.end - start <= 3 && value.value <= 255;
}

function readInt(text: string, at: number): { value: number; end: number } | undefined {
  let value = 0;
  let end = at;
  while (end < at + 7 && isDigit(text.charCodeAt(end))) value = value * 10 + text.charCodeAt(end++) - 48;
  return end === at ? undefined : { value, end };
}

/** The index in the last `"N":value` entry before `close` (NaN when it is not one). */
function lastKey(text: string, close: number): number {
  const quote = text.lastIndexOf('"', close);
  const open = text.lastIndexOf('"', quote - 1);
  return open < 0 || close - open > 24 ? NaN : Number(text.slice(open + 1, quote));
}
