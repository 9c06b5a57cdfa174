import { describe, expect, it } from '@jest/globals';
import { BACKOFF_MAX_MS, classifyStatus, parseRetryAfter, retryDelay } from '../../src/transport/retry-policy.js';

describe('classifyStatus', () => {
  it.each([
    [200, 'POST', 'done'],
    [201, 'PATCH', 'done'],
    [409, 'POST', 'done'],
    [409, 'PATCH', 'reject'],
    [404, 'PATCH', 'retry'],
    [404, 'POST', 'reject'],
    [401, 'POST', 'auth'],
    [403, 'PATCH', 'auth'],
    [413, 'POST', 'too-large'],
    [400, 'POST', 'reject'],
    [422, 'PATCH', 'reject'],
    [408, 'POST', 'retry'],
    [429, 'POST', 'retry'],
    [500, 'PATCH', 'retry'],
    [502, 'POST', 'retry'],
    [503, 'POST', 'retry'],
    [504, 'POST', 'retry'],
    [501, 'POST', 'reject'],
  ] as const)('%i on %s is %s', (status, method, verdict) => {
    expect(classifyStatus(status, method)).toBe(verdict);
  });
});

describe('retryDelay', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    const low = [1, 2, 3, 4].map((attempt) => retryDelay(attempt, undefined, 0, 0));
    const high = [1, 2, 3, 4].map((attempt) => retryDelay(attempt, undefined, 0, 0.999));
    expect(low).toEqual([100, 200, 400, 800]);
    high.forEach((delay, i) => expect(delay).toBeGreaterThan(low[i]!));
    expect(retryDelay(30, undefined, 0, 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });

  it('honours a longer Retry-After', () => {
    expect(retryDelay(1, '3', 0, 0)).toBe(3000);
    expect(retryDelay(10, '0', 0, 0)).toBeGreaterThan(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});
