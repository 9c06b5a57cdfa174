/** How long one look at the rates lasts; two in a row must fall behind, so a burst does not. */
export const BACKLOG_WINDOW_MS = 2500;
// Taking in this much more than it delivers: the backlog is growing.
const GROWTH = 1.1;

/** What a window in which delivery fell behind looked like. */
export interface FallingBehind {
  /** Spans per second handed to the engine, and delivered by it, over the window. */
  offered: number;
  delivered: number;
  /** Why: Opper pushed back, the limit is at its bound with requests waiting, deliveries waited
   * for room under maxPendingSpans, requests waited for a slot while the limit grows, or (seen by
   * a door) the queue in front of it does not drain. */
  why: 'pushed-back' | 'at-bound' | 'no-room' | 'waiting' | 'upstream';
}

/**
 * Watches whether spans arrive faster than Opper takes them, from counts the sender hands in as
 * they happen (no timer of its own). A window of 2.5 s falls behind when the backlog grew (more
 * offered than delivered) while something held delivery back; two such windows in a row are said.
 */
export class BacklogWatch {
  private start: number;
  private offered = 0;
  private delivered = 0;
  private pushbacks = 0;
  private waited = false;
  private atBound = false;
  private noRoom = false;
  private previous: { offered: number; delivered: number } | undefined;
  private behind = 0;

  constructor(now: number) {
    this.start = now;
  }

  /** Times delivery fell behind so far (pairs of windows). */
  get windowsBehind(): number {
    return this.behind;
  }

  offer(spans: number): void {
    this.offered += spans;
  }

  deliver(spans: number): void {
    this.delivered += spans;
  }

  /** One request ended; `waiting`: others waited for a slot, `atBound`: with the limit at its bound. */
  request(pushedBack: boolean, waiting: boolean, atBound: boolean): void {
    if (pushedBack) this.pushbacks++;
    if (waiting) this.waited = true;
    if (waiting && atBound) this.atBound = true;
  }

  /** A delivery had to wait for room. */
  waitedForRoom(): void {
    this.noRoom = true;
  }

  /** At the end of a window, whether it and the one before fell behind (and the next window starts). */
  check(now: number): FallingBehind | undefined {
    const elapsed = now - this.start;
    if (elapsed < BACKLOG_WINDOW_MS) return undefined;
    const why =
      this.pushbacks > 0 ? 'pushed-back' : this.atBound ? 'at-bound' : this.noRoom ? 'no-room' : this.waited ? 'waiting' : undefined;
    const window = { offered: this.offered, delivered: this.delivered };
    const behind = why !== undefined && window.offered > window.delivered * GROWTH;
    const previous = this.previous;
    this.previous = behind ? window : undefined;
    this.start = now;
    this.offered = this.delivered = this.pushbacks = 0;
    this.waited = this.atBound = this.noRoom = false;
    if (!behind || previous === undefined) return undefined;
    this.previous = undefined;
    this.behind++;
    const seconds = (2 * elapsed) / 1000;
    return {
      offered: Math.round((previous.offered + window.offered) / seconds),
      delivered: Math.round((previous.delivered + window.delivered) / seconds),
      why,
    };
  }
}

/** The user's words for a window that fell behind. */
export function fallingBehindMessage({ offered, delivered, why }: FallingBehind, maxConcurrency: number): string {
  const cause = {
    'at-bound': `all ${maxConcurrency} requests allowed in flight are busy (maxConcurrency)`,
    'pushed-back': 'Opper is limiting the rate (HTTP 429/503)',
    'no-room': 'exports are waiting for room under maxPendingSpans',
    waiting: 'requests are waiting for a slot while their number adapts',
    upstream: 'the span processor in front hands over full batches back to back, so its queue is not draining and it drops spans once full',
  }[why];
  return (
    `spans arrive faster than Opper accepts them: about ${offered} spans/s offered, ${delivered} delivered over the last ` +
    `${(2 * BACKLOG_WINDOW_MS) / 1000} s; ${cause}. Spans will be lost once the queues are full: raise maxConcurrency, ` +
    'sample or filter spans (spanFilter), or send through the OTLP bridge (see getStats()).'
  );
}
