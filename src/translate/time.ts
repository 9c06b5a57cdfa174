import type { HrTime } from '@opentelemetry/api';

const EPOCH = '1970-01-01T00:00:00.000000Z';
/** Largest |seconds| a Date can hold. */
const MAX_SECONDS = 8.64e12;

/** The earliest and latest times Opper stores (four-digit years), and their seconds since the epoch. */
export const MIN_TIME = '0001-01-01T00:00:00.000000Z';
export const MAX_TIME = '9999-12-31T23:59:59.999999Z';
const MIN_TIME_SECONDS = -62135596800;
const MAX_TIME_SECONDS = 253402300799;

/**
 * An HrTime as ISO-8601 UTC with exactly 6 fractional digits and `Z`, by integer arithmetic
 * (`[1710928800, 123456789]` -> `2024-03-20T10:00:00.123456Z`). Nanoseconds carry into seconds
 * (negative ones borrow), sub-microseconds are truncated; a time no Date can hold gives the epoch.
 * Never throws. Years outside 0000-9999 are written as Date writes them (`+010000-...`): the span
 * bodies use `clampedTime` instead.
 */
export function hrTimeToIso(hr: HrTime): string {
  const time = normalize(hr);
  if (time === undefined || !(Math.abs(time[0]) <= MAX_SECONDS)) return EPOCH;
  return format(time);
}

/** A time as sent to Opper, and the time it stands for when that was out of range (as text). */
export interface SentTime {
  iso: string;
  original?: string;
}

/**
 * `hrTimeToIso`, clamped to what Opper stores (MIN_TIME..MAX_TIME): a time outside that range is
 * sent as the nearest bound, with `original` saying what it was. A value that is not a time at all
 * still gives the epoch.
 */
export function clampedTime(hr: HrTime): SentTime {
  const time = normalize(hr);
  if (time === undefined) return { iso: EPOCH };
  const [seconds] = time;
  if (seconds >= MIN_TIME_SECONDS && seconds <= MAX_TIME_SECONDS) return { iso: format(time) };
  const original = Math.abs(seconds) <= MAX_SECONDS ? format(time) : `${seconds} s since 1970`;
  return { iso: seconds < MIN_TIME_SECONDS ? MIN_TIME : MAX_TIME, original };
}

/** Whole seconds and 0..999,999,999 nanoseconds, or undefined when `hr` is not a pair of finite numbers. */
function normalize(hr: HrTime): [number, number] | undefined {
  if (!Array.isArray(hr)) return undefined;
  let seconds = hr[0];
  let nanos = hr[1];
  if (typeof seconds !== 'number' || typeof nanos !== 'number') return undefined;
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return undefined;
  if (!Number.isInteger(seconds)) {
    // Not an HrTime as the SDK makes them: move the fraction into the nanoseconds.
    const whole = Math.floor(seconds);
    nanos += Math.round((seconds - whole) * 1e9);
    seconds = whole;
  }
  nanos = Math.floor(nanos);
  const carry = Math.floor(nanos / 1e9);
  seconds += carry;
  nanos -= carry * 1e9;
  if (!Number.isFinite(seconds)) return undefined;
  return [seconds, nanos];
}

function format([seconds, nanos]: [number, number]): string {
  const micros = String(1_000_000 + Math.floor(nanos / 1000)).slice(1);
  return `${dateTime(seconds)}.${micros}Z`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** `YYYY-MM-DDTHH:MM:SS` of whole seconds since the epoch (days to civil date: H. Hinnant's algorithm). */
function dateTime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153); // March = 0
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) {
    const iso = new Date(seconds * 1000).toISOString(); // extended year: ±YYYYYY-MM-DDTHH:MM:SS.sssZ
    return iso.slice(0, iso.length - 5);
  }
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(secondOfDay % 60)}`;
}
