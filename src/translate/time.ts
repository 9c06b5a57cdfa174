import type { HrTime } from '@opentelemetry/api';

const EPOCH = '1970-01-01T00:00:00.000000Z';
/** Largest |seconds| a Date can hold. */
const MAX_SECONDS = 8.64e12;

/**
 * An HrTime as ISO-8601 UTC with exactly 6 fractional digits and `Z`, by integer arithmetic
 * (`[1710928800, 123456789]` -> `2024-03-20T10:00:00.123456Z`). Nanoseconds carry into seconds
 * (negative ones borrow), sub-microseconds are truncated; a time no Date can hold gives the epoch.
 * Never throws.
 */
export function hrTimeToIso(hr: HrTime): string {
  if (!Array.isArray(hr)) return EPOCH;
  let seconds = hr[0];
  let nanos = hr[1];
  if (typeof seconds !== 'number' || typeof nanos !== 'number') return EPOCH;
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return EPOCH;
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
  if (!(Math.abs(seconds) <= MAX_SECONDS)) return EPOCH;
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
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
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
