import type { FallingBehind } from './transport/backlog.js';
import { BACKLOG_WINDOW_MS } from './transport/backlog.js';
import type { ReadableSpanLike } from './translate/types.js';

// An export that starts this soon after the previous one called back was already waiting.
const BACK_TO_BACK_MS = 50;
// A full batch whose oldest span waited longer than this in the processor's queue: the queue is
// not draining (while it keeps up, a batch waits at most for its delay or to fill).
const BACKLOG_AGE_MS = 2 * BACKLOG_WINDOW_MS;

/**
 * Sees, from the exporter's side, a BatchSpanProcessor whose queue does not drain. It exports one
 * batch at a time and drops ended spans once its queue is full, without telling the exporter.
 * While it falls behind, full batches follow each other back to back and their oldest spans have
 * waited longer and longer. Such a batch is compared, by the rate at which its spans ended
 * (contiguous in a full queue), with the rate the previous export delivered at.
 */
export class UpstreamBacklog {
  private lastEnd = -Infinity;
  private largest = 0;
  private lastStart: number | undefined;
  private lastRate: number | undefined;
  private behindNow = false;
  private behind = 0;

  /** Times the processor in front was seen falling behind so far. */
  get windowsBehind(): number {
    return this.behind;
  }

  /** An export of `spans` starts now; whether the processor in front has fallen behind. */
  started(spans: readonly ReadableSpanLike[], now: number): FallingBehind | undefined {
    const full = spans.length >= this.largest && spans.length > 1;
    this.largest = Math.max(this.largest, spans.length);
    const backToBack = now - this.lastEnd <= BACK_TO_BACK_MS;
    this.lastStart = now;
    if (!full || !backToBack) {
      this.behindNow = false;
      return undefined;
    }
    const { first, last } = endTimes(spans);
    const offered = last > first ? (spans.length / (last - first)) * 1000 : undefined;
    const rate = this.lastRate;
    if (this.behindNow || now - first < BACKLOG_AGE_MS || offered === undefined || rate === undefined || offered <= rate * 1.1)
      return undefined;
    this.behindNow = true;
    this.behind++;
    return { offered: Math.round(offered), delivered: Math.round(rate), why: 'upstream' };
  }

  /** The export started last called back, `delivered` of its spans delivered. */
  finished(delivered: number, now: number): void {
    this.lastEnd = now;
    if (this.lastStart !== undefined) this.lastRate = (delivered / Math.max(1, now - this.lastStart)) * 1000;
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
