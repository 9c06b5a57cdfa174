/** The range the requests in flight adapt within, and where they start. */
export interface CapacityRange {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
}

// Round-trip smoothing as TCP does it (RFC 6298): the newest sample weighs 1/8.
const RTT_WEIGHT = 1 / 8;
// The lowest round trip seen is forgotten after this long, so that a route that got slower for
// good becomes the new normal instead of a lasting "congestion".
const MIN_RTT_WINDOW_MS = 30_000;
// Latency counts as rising past twice the lowest round trip plus this much: loopback's jitter of a
// few ms under load is no reason to back off, a queue building up at Opper is.
const LATENCY_SLACK_MS = 50;

/**
 * How many requests may be in flight to Opper: additive increase, multiplicative decrease, as TCP
 * and Netflix's concurrency-limits do it. It grows only while requests wait for a slot (the
 * limit, not the load, is what holds them back) and Opper answers well: by one per answer while
 * below the last known good level (doubling every round trip), by one per round trip above it.
 * It halves when Opper pushes back (429, 503, a timeout), at most once per round trip, and eases
 * off by a tenth while latency rises to twice the lowest seen and more. Two requests per span make
 * spans per second at most limit / (2 × round trip): 32 at 150 ms is ~107, hence the growth.
 * The clock is passed in, so it tests deterministically.
 */
export class Capacity {
  private level: number;
  private threshold: number;
  private smoothedRtt: number | undefined;
  private lowestRtt = Infinity;
  private lowestAt = 0;
  private lastCut = -Infinity;
  private pushbacks = 0;

  constructor(private readonly range: CapacityRange) {
    this.level = range.initial;
    this.threshold = range.max;
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return Math.floor(this.level);
  }

  /** Times Opper pushed back (429, 503, a timeout); it only grows. */
  get pushedBack(): number {
    return this.pushbacks;
  }

  /** A request answered (any status but a push-back) after `rttMs`; `waiting`: others were
   * waiting for a slot as it ended. */
  answered(rttMs: number, now: number, waiting: boolean): void {
    this.sample(rttMs, now);
    if (this.rising()) {
      this.cut(now, 0.9);
      return;
    }
    if (!waiting || this.level >= this.range.max) return;
    this.level = Math.min(this.range.max, this.level + (this.level < this.threshold ? 1 : 1 / this.level));
  }

  /** Opper asked for less (429, 503) or did not answer in time. */
  pushedBackNow(now: number): void {
    this.pushbacks++;
    if (this.cut(now, 0.5)) this.threshold = this.level;
  }

  /** Lowers the level by `factor`, unless it was lowered less than a round trip ago (the answers
   * of one round trip tell of one moment). Whether it did. */
  private cut(now: number, factor: number): boolean {
    if (now - this.lastCut < (this.smoothedRtt ?? 0)) return false;
    this.lastCut = now;
    this.level = Math.max(this.range.min, this.level * factor);
    return true;
  }

  private sample(rttMs: number, now: number): void {
    this.smoothedRtt = this.smoothedRtt === undefined ? rttMs : this.smoothedRtt + (rttMs - this.smoothedRtt) * RTT_WEIGHT;
    if (rttMs <= this.lowestRtt || now - this.lowestAt > MIN_RTT_WINDOW_MS) {
      this.lowestRtt = rttMs;
      this.lowestAt = now;
    }
  }

  private rising(): boolean {
    return this.smoothedRtt !== undefined && this.smoothedRtt > this.lowestRtt * 2 + LATENCY_SLACK_MS;
  }
}
