import { retryDelay, type Verdict } from './retry-policy.js';

// Consecutive transient failures, across all requests, that mean Opper is down rather than flaky.
export const OUTAGE_STREAK = 8;

/**
 * Whether Opper is taking requests, as this process sees it. Until one request has got past
 * authentication, and during an outage, only one request may be in flight, and during an outage
 * requests are spaced by a backoff shared by all spans: a bad key or a down Opper sees a trickle,
 * not a storm, while a merely flaky Opper keeps the full concurrency.
 */
export class Health {
  private keyAccepted = false;
  private failures = 0;
  private resumeAt = 0;
  private downSince = 0;

  /** How many requests may be in flight now. */
  limit(concurrency: number): number {
    return this.keyAccepted && this.failures < OUTAGE_STREAK ? concurrency : 1;
  }

  /** For how long, in ms, Opper has been down (0 while it is not). */
  downFor(now: number): number {
    return this.failures >= OUTAGE_STREAK ? now - this.downSince : 0;
  }

  /** How long the next request must wait, in ms. */
  pause(now: number): number {
    return this.failures >= OUTAGE_STREAK ? Math.max(0, this.resumeAt - now) : 0;
  }

  /** Takes in how one request ended. */
  record(verdict: Verdict | 'network', retryAfter: string | undefined, now: number, random: number): void {
    if (verdict === 'retry' || verdict === 'network') {
      this.failures++;
      if (this.failures === OUTAGE_STREAK) this.downSince = now;
      if (this.failures >= OUTAGE_STREAK) {
        this.resumeAt = now + retryDelay(this.failures - OUTAGE_STREAK + 1, retryAfter, now, random);
      }
      return;
    }
    this.failures = 0;
    // An untrusted certificate means no request got as far as the key: keep to one probe.
    this.keyAccepted = verdict !== 'auth' && verdict !== 'tls';
  }
}
