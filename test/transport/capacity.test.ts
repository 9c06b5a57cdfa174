import { describe, expect, it } from '@jest/globals';
import { Capacity } from '../../src/transport/capacity.js';

const RANGE = { initial: 32, min: 4, max: 1024 };

/** One round trip in which every slot's request is answered after `rtt` ms, with others waiting. */
function roundTrip(capacity: Capacity, now: number, rtt = 150, waiting = true): number {
  for (let i = capacity.limit; i > 0; i--) capacity.answered(rtt, now + rtt, waiting);
  return now + rtt;
}

describe('Capacity', () => {
  it('doubles every round trip while requests wait and Opper answers well, up to its bound', () => {
    const capacity = new Capacity(RANGE);
    let now = 0;
    const limits = [capacity.limit];
    for (let i = 0; i < 6; i++) limits.push(capacity.limit, (now = roundTrip(capacity, now)) && capacity.limit);
    expect(limits.filter((_, i) => i % 2 === 0)).toEqual([32, 64, 128, 256, 512, 1024, 1024]);
  });

  it('does not grow while nothing waits: the load, not the limit, decides', () => {
    const capacity = new Capacity(RANGE);
    roundTrip(capacity, 0, 150, false);
    expect(capacity.limit).toBe(32);
  });

  it('halves on a push-back, once per round trip, then grows by one per round trip', () => {
    const capacity = new Capacity(RANGE);
    let now = roundTrip(capacity, roundTrip(capacity, 0)); // 128
    expect(capacity.limit).toBe(128);
    capacity.pushedBackNow(now);
    for (let i = 0; i < 20; i++) capacity.pushedBackNow(now + 10); // the same round trip's answers
    expect(capacity.limit).toBe(64);
    expect(capacity.pushedBack).toBe(21);
    for (let i = 0; i < 4; i++) now = roundTrip(capacity, now);
    expect(capacity.limit).toBeGreaterThanOrEqual(67); // about one per round trip
    expect(capacity.limit).toBeLessThanOrEqual(68);
    const level = capacity.limit;
    capacity.pushedBackNow(now + 200);
    expect(capacity.limit).toBe(Math.floor(level / 2));
  });

  it('never goes below its floor', () => {
    const capacity = new Capacity(RANGE);
    for (let i = 0; i < 20; i++) capacity.pushedBackNow(i * 1000);
    expect(capacity.limit).toBe(4);
  });

  it('eases off while latency rises well above the lowest seen, and not for loopback jitter', () => {
    const capacity = new Capacity(RANGE);
    let now = roundTrip(capacity, 0, 1); // loopback: 1 ms
    expect(capacity.limit).toBe(64);
    now = roundTrip(capacity, now, 30); // jitter under load: still grows
    expect(capacity.limit).toBeGreaterThan(64);
    const before = capacity.limit;
    for (let i = 0; i < 40; i++) capacity.answered(400, (now += 400), true); // a queue builds at Opper
    expect(capacity.limit).toBeLessThan(before);
  });

  it('a fixed concurrency stays fixed', () => {
    const capacity = new Capacity({ initial: 8, min: 8, max: 8 });
    roundTrip(capacity, 0);
    capacity.pushedBackNow(1000);
    expect(capacity.limit).toBe(8);
  });
});
