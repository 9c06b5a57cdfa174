import type { FallingBehind } from './transport/backlog.js';
import { BACKLOG_WINDOW_MS } from './transport/backlog.js';
import type { ReadableSpanLike } from './translate/types.js';

// An export that starts this soon after the previous one called back was already waiting.
const BACK_TO_BACK_MS = 50;

/**
 * Sees, from the exporter's side, a BatchSpanProcessor whose queue does not drain. It exports one
 * batch at a time and drops ended spans once its queue is full, without telling the exporter. While
 * it keeps up, a batch waits for its delay or to fill; while it falls behind, full batches follow
 * each other back to back. Over a run of such batches lasting 5 s, the rate at which their spans
 * ended (contiguous in a full queue) is compared with the rate they were delivered at, and the
 * time their oldest span waited must have grown.
 */
export class UpstreamBacklog {
  private lastEnd = -Infinity;
  private largest = 0;
  private run: { start: number; exports: number; ended: number; endedMs: number; delivered: number; firstAge: number; lastAge: number } | undefined;
  private behind = 0;

  /** Runs that fell behind so far. */
  get windowsBehind(): number {
    return this.behind;
  }

  /** An export of `spans` starts now. */
  started(spans: readonly ReadableSpanLike[], now: number): void {
    const full = spans.length >= this.largest && spans.length > 1;
    this.largest = Math.max(this.largest, spans.length);
    const { first, last } = endTimes(spans);
    // How long its oldest span waited in the processor's queue: it grows while the queue fills.
    const age = now - first;
    if (!full || now - this.lastEnd > BACK_TO_BACK_MS) this.run = { start: now, exports: 0, ended: 0, endedMs: 0, delivered: 0, firstAge: age, lastAge: age };
    if (last > first && this.run !== undefined) {
      this.run.exports++;
      this.run.ended += spans.length;
      this.run.endedMs += last - first;
      this.run.lastAge = age;
    }
  }

  /** An export called back, `delivered` of its spans delivered; a run that fell behind, if any. */
  finished(delivered: number, now: number): FallingBehind | undefined {
    this.lastEnd = now;
    const run = this.run;
    if (run === undefined) return undefined;
    run.delivered += delivered;
    const elapsed = now - run.start;
    if (elapsed < 2 * BACKLOG_WINDOW_MS || run.exports < 2) return undefined;
    this.run = undefined;
    const offered = (run.ended / run.endedMs) * 1000;
    const rate = (run.delivered / elapsed) * 1000;
    // A queue that is draining again (a slow start caught up) is not falling behind.
    if (offered <= rate * 1.1 || run.lastAge <= run.firstAge) return undefined;
    this.behind++;
    return { offered: Math.round(offered), delivered: Math.round(rate), why: 'upstream' };
  }
}

/** When, in ms since the epoch, the first and the last span of a batch ended. */
function endTimes(spans: readonly ReadableSpanLike[]): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const span of spans) {
    const end = span?.endTime;
    if (!Array.isArray(end)) continue;
    const ms = end[0] * 1000 + end[1] / 1e6;
    if (ms < first) first = ms;
    if (ms > last) last = ms;
  }
  return { first, last };
}
