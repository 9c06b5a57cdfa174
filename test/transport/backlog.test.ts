import { describe, expect, it } from '@jest/globals';
import { BACKLOG_WINDOW_MS, BacklogWatch, fallingBehindMessage } from '../../src/transport/backlog.js';

const W = BACKLOG_WINDOW_MS;

/** One window: `offered` and `delivered` spans, and what held delivery back. */
function window(
  watch: BacklogWatch,
  end: number,
  offered: number,
  delivered: number,
  held: 'pushed' | 'bound' | 'room' | 'none' = 'pushed',
) {
  watch.offer(offered);
  watch.deliver(delivered);
  if (held === 'pushed') watch.request(true, true, false);
  if (held === 'bound') watch.request(false, true, true);
  if (held === 'room') watch.waitedForRoom();
  return watch.check(end);
}

describe('BacklogWatch', () => {
  it('says nothing before a window has passed, or while delivery keeps up', () => {
    const watch = new BacklogWatch(0);
    expect(window(watch, W - 1, 1000, 0)).toBeUndefined();
    expect(window(watch, W, 0, 1000)).toBeUndefined();
    expect(window(watch, 2 * W, 1000, 1000)).toBeUndefined();
    expect(watch.windowsBehind).toBe(0);
  });

  it('says it when two windows in a row grow the backlog while Opper pushes back, with the rates', () => {
    const watch = new BacklogWatch(0);
    expect(window(watch, W, 2500, 500)).toBeUndefined(); // one window could be a burst
    expect(window(watch, 2 * W, 2500, 500)).toEqual({ offered: 1000, delivered: 200, why: 'pushed-back' });
    expect(watch.windowsBehind).toBe(1);
    expect(window(watch, 3 * W, 2500, 500)).toBeUndefined(); // the next pair starts afresh
  });

  it('forgets a window that fell behind when the next keeps up: a burst', () => {
    const watch = new BacklogWatch(0);
    window(watch, W, 2500, 500);
    window(watch, 2 * W, 100, 2000);
    expect(window(watch, 3 * W, 2500, 500)).toBeUndefined();
  });

  it('names the bound when requests wait at it, and room under maxPendingSpans; growth alone is not enough', () => {
    const watch = new BacklogWatch(0);
    window(watch, W, 100, 0, 'bound');
    expect(window(watch, 2 * W, 100, 0, 'bound')?.why).toBe('at-bound');
    window(watch, 3 * W, 100, 0, 'room');
    expect(window(watch, 4 * W, 100, 0, 'room')?.why).toBe('no-room');
    window(watch, 5 * W, 100, 0, 'none');
    expect(window(watch, 6 * W, 100, 0, 'none')).toBeUndefined();
  });

  it('words the warning with the rates and what to do', () => {
    const message = fallingBehindMessage({ offered: 1000, delivered: 200, why: 'at-bound' }, 1024);
    expect(message).toMatch(
      /about 1000 spans\/s offered, 200 delivered .*all 1024 requests allowed in flight are busy \(maxConcurrency\).*raise maxConcurrency, sample or filter/,
    );
  });
});
