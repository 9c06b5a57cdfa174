import { isUtf8 } from 'node:buffer';
import type { ViolationRule } from './types.js';

/** One contract problem in a request. */
export interface Issue {
  readonly rule: ViolationRule;
  /** The field (or `body`, `path`, `header`) the problem is in. */
  readonly field: string;
  readonly message: string;
}

/** A parsed JSON object body, or the issue that made it unreadable. */
export type Parsed = { readonly body: Record<string, unknown> } | { readonly issue: Issue };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;
/** A NUL, or a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const BAD_CHAR = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** True for `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && header.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}

/** Decodes a body that must be UTF-8 JSON holding an object. */
export function parseJsonObject(bytes: Buffer): Parsed {
  if (!isUtf8(bytes)) return { issue: { rule: 'invalid-utf8', field: 'body', message: 'body is not valid UTF-8' } };
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { issue: { rule: 'invalid-json', field: 'body', message: `body is not valid JSON: ${(error as Error).message}` } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { issue: { rule: 'schema', field: 'body', message: 'body must be a JSON object' } };
  }
  return { body: value as Record<string, unknown> };
}

/** Finds the first string or key, at any depth, holding a NUL or a lone surrogate (iterative: deep JSON cannot overflow the stack). */
export function findBadString(value: unknown): Issue | undefined {
  const stack: Array<[unknown, string]> = [[value, 'body']];
  while (stack.length > 0) {
    const [current, at] = stack.pop()!;
    if (typeof current === 'string') {
      if (BAD_CHAR.test(current)) return badString(`the string at ${at}`);
    } else if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) stack.push([current[i], `${at}[${i}]`]);
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        if (BAD_CHAR.test(key)) return badString(`a key in ${at}`);
        stack.push([item, `${at}.${key}`]);
      }
    }
  }
  return undefined;
}

function badString(where: string): Issue {
  // JSON.stringify escapes lone surrogates, so the message itself stays valid UTF-8.
  return {
    rule: 'surrogate-or-nul',
    field: 'body',
    message: `${JSON.stringify(where)} contains a lone UTF-16 surrogate or a NUL character`,
  };
}

/** Epoch milliseconds (with microsecond fraction) of an ISO-8601 date-time with offset, or the reason it is refused. */
export function parseDateTime(value: string): { readonly ms: number } | { readonly rule: ViolationRule; readonly message: string } {
  const m = DATE_TIME.exec(value);
  if (!m) return { rule: 'datetime', message: 'expected an ISO-8601 date-time with offset, e.g. 2025-01-31T12:00:00.123456Z' };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  const offset = m[8]!;
  if (fraction.length > 6) return { rule: 'datetime-precision', message: 'second fraction value is more than 6 digits long' };
  const zulu = offset.toUpperCase() === 'Z';
  const offsetHours = zulu ? 0 : Number(offset.slice(1, 3));
  const offsetMinutes = zulu ? 0 : Number(offset.slice(4, 6));
  const inRange =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!inRange) return { rule: 'datetime', message: 'date-time field out of range' };
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which maps years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, 0);
  const offsetMs = (offset[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return { ms: date.getTime() - offsetMs + (fraction ? Number(`0.${fraction}`) * 1000 : 0) };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

type Check = (value: unknown, field: string) => Issue | undefined;

const schema = (field: string, expected: string): Issue => ({ rule: 'schema', field, message: `${field}: expected ${expected}` });

const string: Check = (v, f) => (typeof v === 'string' ? undefined : schema(f, 'a string'));
const stringOrNull: Check = (v, f) => (v === null || typeof v === 'string' ? undefined : schema(f, 'a string or null'));
const anyJson: Check = () => undefined;
const objectOrNull: Check = (v, f) =>
  v === null || (typeof v === 'object' && !Array.isArray(v)) ? undefined : schema(f, 'an object or null');
const uuidOrNull: Check = (v, f) => {
  if (v === null) return undefined;
  if (typeof v !== 'string') return schema(f, 'a UUID string or null');
  return isUuid(v) ? undefined : { rule: 'uuid', field: f, message: `${f}: ${JSON.stringify(v)} is not a UUID (8-4-4-4-12 hex)` };
};
const integerOrNull: Check = (v, f) => {
  if (v === null || Number.isInteger(v)) return undefined;
  return typeof v === 'number'
    ? { rule: 'score-not-integer', field: f, message: `${f}: expected an integer, got ${v}` }
    : schema(f, 'an integer or null');
};
const dateTimeOrNull: Check = (v, f) => {
  if (v === null) return undefined;
  if (typeof v !== 'string') return schema(f, 'an ISO-8601 date-time string or null');
  const parsed = parseDateTime(v);
  return 'ms' in parsed ? undefined : { rule: parsed.rule, field: f, message: `${f}: ${parsed.message}` };
};

/** Fields of `POST /spans` (CreateSpanRequest). A Map, so that a `__proto__` key is just an unknown field. */
const CREATE = new Map<string, Check>([
  ['name', string],
  ['id', uuidOrNull],
  ['trace_id', uuidOrNull],
  ['parent_id', uuidOrNull],
  ['type', stringOrNull],
  ['start_time', dateTimeOrNull],
  ['end_time', dateTimeOrNull],
  ['input', anyJson],
  ['output', anyJson],
  ['error', stringOrNull],
  ['meta', objectOrNull],
  ['score', integerOrNull],
]);

/** Fields of `PATCH /spans/{id}` (UpdateSpanRequest): input/output are strings here, and ids cannot change. */
const UPDATE = new Map<string, Check>([
  ['name', stringOrNull],
  ['type', stringOrNull],
  ['start_time', dateTimeOrNull],
  ['end_time', dateTimeOrNull],
  ['input', stringOrNull],
  ['output', stringOrNull],
  ['error', stringOrNull],
  ['meta', objectOrNull],
  ['score', integerOrNull],
]);

/** Issues in a create body; `unknown-field` issues are not fatal. */
export function checkCreate(body: Record<string, unknown>): Issue[] {
  const issues = checkFields(body, CREATE);
  if (!Object.hasOwn(body, 'name')) issues.unshift({ rule: 'schema', field: 'name', message: 'name: field required' });
  return issues;
}

/** Issues in a PATCH body; `unknown-field` issues are not fatal. */
export function checkUpdate(body: Record<string, unknown>): Issue[] {
  return checkFields(body, UPDATE);
}

/** True when an issue makes the request fail (everything but an unknown field). */
export function isFatal(issue: Issue): boolean {
  return issue.rule !== 'unknown-field';
}

function checkFields(body: Record<string, unknown>, fields: ReadonlyMap<string, Check>): Issue[] {
  const issues: Issue[] = [];
  for (const [field, value] of Object.entries(body)) {
    const check = fields.get(field);
    const issue = check
      ? check(value, field)
      : { rule: 'unknown-field' as const, field, message: `unknown field ${JSON.stringify(field)} is not part of the Opper span schema` };
    if (issue) issues.push(issue);
  }
  return issues;
}
