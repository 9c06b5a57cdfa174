import { describe, expect, it } from '@jest/globals';
import type { HrTime } from '@opentelemetry/api';
import { hrTimeToIso } from '../../src/translate/index.js';

/** Reference: the same instant through Date, micro-seconds appended (only for whole-second inputs in range). */
function reference(seconds: number, nanos: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, -5)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

describe('hrTimeToIso', () => {
  it('writes exactly 6 fractional digits with integer arithmetic', () => {
    expect(hrTimeToIso([1710928800, 123456789])).toBe('2024-03-20T10:00:00.123456Z');
    expect(hrTimeToIso([1710928800, 0])).toBe('2024-03-20T10:00:00.000000Z');
    expect(hrTimeToIso([1710928800, 999])).toBe('2024-03-20T10:00:00.000000Z');
    expect(hrTimeToIso([1710928800, 1000])).toBe('2024-03-20T10:00:00.000001Z');
    expect(hrTimeToIso([1710928800, 999999999])).toBe('2024-03-20T10:00:00.999999Z'); // truncated, not rounded up
    expect(hrTimeToIso([0, 0])).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('carries nanoseconds of a second or more into the seconds', () => {
    expect(hrTimeToIso([1710928800, 1_000_000_000])).toBe('2024-03-20T10:00:01.000000Z');
    expect(hrTimeToIso([1710928859, 2_500_000_000])).toBe('2024-03-20T10:01:01.500000Z');
    expect(hrTimeToIso([1710979199, 1_000_000_001])).toBe('2024-03-21T00:00:00.000000Z');
  });

  it('handles times before 1970 and negative nanoseconds', () => {
    expect(hrTimeToIso([-1, 0])).toBe('1969-12-31T23:59:59.000000Z');
    expect(hrTimeToIso([0, -1000])).toBe('1969-12-31T23:59:59.999999Z');
    expect(hrTimeToIso([-86400 * 365, 500_000_000])).toBe('1969-01-01T00:00:00.500000Z');
  });

  it('agrees with Date across years 0000-9999 and leap days', () => {
    expect(hrTimeToIso([951782400, 0])).toBe('2000-02-29T00:00:00.000000Z');
    expect(hrTimeToIso([4107542400, 0])).toBe('2100-03-01T00:00:00.000000Z');
    expect(hrTimeToIso([-62167219200, 0])).toBe('0000-01-01T00:00:00.000000Z');
    expect(hrTimeToIso([253402300799, 999_999_000])).toBe('9999-12-31T23:59:59.999999Z');
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const wrong: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const seconds = Math.floor(-62167219200 + random() * (253402300799 + 62167219200));
      const nanos = Math.floor(random() * 1e9);
      if (hrTimeToIso([seconds, nanos]) !== reference(seconds, nanos)) wrong.push(`${seconds},${nanos}`);
    }
    expect(wrong).toEqual([]);
  });

  it('writes years outside 0000-9999 as Date does and never throws on odd values', () => {
    expect(hrTimeToIso([253402300800, 0])).toBe('+010000-01-01T00:00:00.000000Z');
    expect(hrTimeToIso([1710928800.5, 0])).toBe('2024-03-20T10:00:00.500000Z');
    expect(hrTimeToIso([1710928800, 1.9e3])).toBe('2024-03-20T10:00:00.000001Z');
    const odd: unknown[] = [[NaN, 0], [Infinity, 0], [0, NaN], [1e300, 0], [-1e300, 0], [], ['1', 2], undefined, null, 'x'];
    for (const value of odd) expect(hrTimeToIso(value as HrTime)).toBe('1970-01-01T00:00:00.000000Z');
  });
});
