import { describe, expect, it } from '@jest/globals';
import { Health, OUTAGE_STREAK } from '../../src/transport/health.js';

describe('Health', () => {
  it('allows one request until the key is accepted, then the full concurrency', () => {
    const health = new Health();
    expect(health.limit(32)).toBe(1);
    health.record('auth', undefined, 0, 0);
    expect(health.limit(32)).toBe(1);
    health.record('reject', undefined, 0, 0); // a 422 still proves the key
    expect(health.limit(32)).toBe(32);
    expect(health.pause(0)).toBe(0);
  });

  it('stays at full concurrency through scattered failures, and pauses after a streak', () => {
    const health = new Health();
    health.record('done', undefined, 0, 0);
    for (let i = 1; i < OUTAGE_STREAK; i++) health.record(i % 2 ? 'retry' : 'network', undefined, 0, 0);
    expect(health.limit(32)).toBe(32);
    expect(health.pause(0)).toBe(0);
    health.record('retry', undefined, 1000, 0);
    expect(health.limit(32)).toBe(1);
    expect(health.pause(1000)).toBe(100);
    health.record('retry', '3', 2000, 0); // Retry-After wins when longer
    expect(health.pause(2000)).toBe(3000);
    health.record('done', undefined, 2500, 0);
    expect(health.limit(32)).toBe(32);
    expect(health.pause(2500)).toBe(0);
  });

  it('pauses at most 5 s however long Retry-After asks, so the next probe comes soon', () => {
    const health = new Health();
    for (let i = 0; i < OUTAGE_STREAK; i++) health.record('retry', '3600', 0, 0);
    expect(health.pause(0)).toBe(5000);
    health.record('retry', 'Wed, 21 Oct 2099 07:28:00 GMT', 10_000, 0);
    expect(health.pause(10_000)).toBe(5000);
  });

  it('keeps to one request in flight after an untrusted certificate', () => {
    const health = new Health();
    health.record('done', undefined, 0, 0);
    expect(health.limit(32)).toBe(32);
    health.record('tls', undefined, 0, 0);
    expect(health.limit(32)).toBe(1);
  });
});
