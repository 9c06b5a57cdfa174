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

describe('UpstreamBacklog', () => {
  it('sees full batches handed over back to back for 5 s as a queue that does not drain', () => {
    const watch = new UpstreamBacklog();
    let now = 1_000_000;
    let result;
    // Spans end at 1,000/s; each export takes 1 s for 512 and the next starts at once, so the
    // oldest span of each batch has waited longer than the last one's.
    for (let i = 0; i < 7 && result === undefined; i++) {
      watch.started(batch(512, 1_000_000 - 2000 + i * 512, 1), now);
      now += 1000;
      result = watch.finished(512, now);
    }
    expect(result).toMatchObject({ delivered: 512, why: 'upstream' });
    expect(Math.abs(result!.offered - 1000)).toBeLessThan(5); // 512 spans over 511 ms
    expect(watch.windowsBehind).toBe(1);
  });

  it('says nothing when batches wait for their delay, or are not full', () => {
    const watch = new UpstreamBacklog();
    let now = 1_000_000;
    for (let i = 0; i < 10; i++) {
      watch.started(batch(i % 2 ? 512 : 100, now - 2000, 1), now);
      now += 1000;
      expect(watch.finished(512, now)).toBeUndefined();
    }
    for (let i = 0; i < 10; i++) {
      watch.started(batch(512, now - 2000, 1), now);
      now += 1000;
      expect(watch.finished(512, now)).toBeUndefined();
      now += 200; // the processor's timer: it waited for spans
    }
    expect(watch.windowsBehind).toBe(0);
  });

  it('says nothing while the queue drains again, as after a slow start', () => {
    const watch = new UpstreamBacklog();
    let now = 1_000_000;
    for (let i = 0; i < 7; i++) {
      // Each batch's oldest span waited less than the one before: the exporter is catching up.
      watch.started(batch(512, now - 3000 + i * 300, 1), now);
      now += 1000;
      expect(watch.finished(512, now)).toBeUndefined();
    }
  });

  it('says nothing when the spans end no faster than they are delivered', () => {
    const watch = new UpstreamBacklog();
    let now = 1_000_000;
    for (let i = 0; i < 10; i++) {
      watch.started(batch(512, now - 2000, 2), now); // 500/s end, 512/s delivered
      now += 1000;
      expect(watch.finished(512, now)).toBeUndefined();
    }
  });
});
