import { describe, expect, it } from '@jest/globals';
import type { ReadableSpanLike } from '../src/translate/types.js';
import { UpstreamBacklog } from '../src/upstream-backlog.js';

/** `count` spans that ended one every `everyMs` from `fromMs` on. */
function batch(count: number, fromMs: number, everyMs: number): ReadableSpanLike[] {
  return Array.from({ length: count }, (_, i) => {
    const ms = fromMs + i * everyMs;
    return { endTime: [Math.floor(ms / 1000), (ms % 1000) * 1e6] } as unknown as ReadableSpanLike;
  });
}

const T0 = 1_000_000;

describe('UpstreamBacklog', () => {
  it('sees a full batch handed over at once whose oldest span waited over 5 s: a queue that does not drain', () => {
    const watch = new UpstreamBacklog();
    // Spans end at 1,000/s from T0; each export of 512 takes 2 s and the next starts at once.
    const results = [];
    let now = T0 + 512;
    for (let i = 0; i < 6; i++) {
      results.push(watch.started(batch(512, T0 + i * 512, 1), now));
      now += 2000;
      watch.finished(512, now);
    }
    const said = results.filter((result) => result !== undefined);
    expect(said).toHaveLength(1); // once, until the processor catches up
    expect(said[0]).toMatchObject({ delivered: 256, why: 'upstream' });
    expect(Math.abs(said[0]!.offered - 1000)).toBeLessThan(5); // 512 spans over 511 ms
    expect(watch.windowsBehind).toBe(1);
  });

  it('says nothing while batches wait for their delay, or are not full, however old their spans', () => {
    const watch = new UpstreamBacklog();
    let now = T0;
    for (let i = 0; i < 10; i++) {
      expect(watch.started(batch(i % 2 ? 512 : 100, now - 8000, 1), now)).toBeUndefined();
      now += 2000;
      watch.finished(512, now);
      now += 200; // the processor's timer: it waited for spans
    }
    expect(watch.windowsBehind).toBe(0);
  });

  it('says nothing while the oldest spans waited less than 5 s, as in a slow start that catches up', () => {
    const watch = new UpstreamBacklog();
    let now = T0 + 512;
    for (let i = 0; i < 8; i++) {
      expect(watch.started(batch(512, now - 1500, 1), now)).toBeUndefined();
      now += 600;
      watch.finished(512, now);
    }
  });

  it('says nothing when the spans end no faster than they are delivered', () => {
    const watch = new UpstreamBacklog();
    let now = T0;
    for (let i = 0; i < 10; i++) {
      expect(watch.started(batch(512, now - 8000, 2), now)).toBeUndefined(); // 500/s end, 512/s delivered
      now += 1000;
      watch.finished(512, now);
    }
  });
});
