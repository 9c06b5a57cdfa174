import { describe, expect, it } from '@jest/globals';
import { BacklogWatch, fallingBehindMessage } from '../../src/transport/backlog.js';

describe('BacklogWatch', () => {
  it('says nothing before a window has passed, or while delivery keeps up', () => {
    const watch = new BacklogWatch(0);
    watch.offer(1000);
    watch.request(true, true, false);
    expect(watch.check(4999)).toBeUndefined();
    watch.deliver(1000);
    expect(watch.check(5000)).toBeUndefined();
    expect(watch.windowsBehind).toBe(0);
  });

  it('falls behind when the backlog grows and Opper pushes back, with the rates', () => {
    const watch = new BacklogWatch(0);
    watch.offer(5000);
    watch.deliver(1000);
    watch.request(true, true, false);
    expect(watch.check(5000)).toEqual({ offered: 1000, delivered: 200, why: 'pushed-back' });
    expect(watch.windowsBehind).toBe(1);
    // The next window starts empty.
    watch.offer(10);
    expect(watch.check(10_000)).toBeUndefined();
  });

  it('names the bound when requests wait at it, and room under maxPendingSpans', () => {
    const watch = new BacklogWatch(0);
    watch.offer(100);
    watch.request(false, true, true);
    expect(watch.check(5000)?.why).toBe('at-bound');
    watch.offer(100);
    watch.waitedForRoom();
    expect(watch.check(10_000)?.why).toBe('no-room');
    watch.offer(100);
    expect(watch.check(15_000)).toBeUndefined(); // growing, but nothing held it back
  });

  it('words the warning with the rates and what to do', () => {
    const message = fallingBehindMessage({ offered: 1000, delivered: 200, why: 'at-bound' }, 1024);
    expect(message).toMatch(/about 1000 spans\/s offered, 200 delivered .*all 1024 requests allowed in flight are busy \(maxConcurrency\).*raise maxConcurrency, sample or filter/);
  });
});
