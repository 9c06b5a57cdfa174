import { OUTCOMES } from '../outcomes.js';
import { SpanQueue, type Deliverer } from './span-queue.js';
import type { SpanFailure, SpanJob } from './span-sender.js';

/** How many PATCHes are kept, how large, and for how long. */
export const PENDING_PATCH_BOUNDS = { spans: 2048, bytes: 8 * 1024 * 1024, ageMillis: 5 * 60_000 } as const;

// A PATCH that has just missed its deadline is tried again a moment later, not in the same breath.
const RETRY_DELAY_MS = 1000;
// The sender ends an attempt by its deadline plus a timer margin; this covers both.
const SETTLE_MARGIN_MS = 1000;

export interface PendingPatchesOptions {
  /** Deadline of one attempt, retries included. */
  attemptMillis: number;
  /** Spans handed to the sender at once. */
  maxInFlight: number;
  /** Told of each span whose PATCH is given up for good, and why (after it is counted). */
  onGivenUp(count: number, why: string): void;
}

export interface PendingPatchCounts {
  /** PATCHes waiting or being sent. */
  pending: number;
  /** PATCHes that landed in the end. */
  completed: number;
  /** PATCHes given up for good. */
  givenUp: number;
}

/** What `keep()` did with a delivery's failures. */
export interface Kept {
  /** PATCHes now pending. */
  kept: number;
  /** PATCHes that could not be kept (already counted by `onGivenUp`). */
  givenUp: number;
  /** Failures that are the caller's to count. */
  left: SpanFailure[];
}

/**
 * The PATCHes of spans whose create landed while their PATCH did not (Opper slow, a key blip, a
 * deadline): without them Opper would show those spans started and never ended. They wait in a
 * SpanQueue of PATCH-only jobs, bounded by `PENDING_PATCH_BOUNDS`, and are retried on the queue's
 * shared backoff until they land or are given up.
 */
export class PendingPatches {
  private readonly queue: SpanQueue;
  private completed = 0;
  private givenUp = 0;

  constructor(sender: Deliverer, options: PendingPatchesOptions) {
    const { spans, bytes, ageMillis } = PENDING_PATCH_BOUNDS;
    this.queue = new SpanQueue(sender, {
      maxQueueSize: spans,
      maxQueueBytes: bytes,
      maxSpanAgeMillis: ageMillis,
      attemptMillis: options.attemptMillis,
      delayMillis: RETRY_DELAY_MS,
      maxInFlight: options.maxInFlight,
      onDelivered: (count) => (this.completed += count),
      onLoss: (reason, count, facts) => {
        this.givenUp += count;
        options.onGivenUp(count, OUTCOMES[reason].patch.says(facts, PENDING_PATCH_BOUNDS));
      },
    });
  }

  get counts(): PendingPatchCounts {
    return { pending: this.queue.size.spans, completed: this.completed, givenUp: this.givenUp };
  }

  /** Keeps the PATCH of every failure whose create landed and whose PATCH may still land. */
  keep(failures: readonly SpanFailure[], jobs: readonly SpanJob[]): Kept {
    const result: Kept = { kept: 0, givenUp: 0, left: [] };
    const byId = new Map(jobs.map((job) => [job.id, job]));
    for (const failure of failures) {
      const update = failure.created && !OUTCOMES[failure.reason].final ? byId.get(failure.id)?.update : undefined;
      if (update === undefined) result.left.push(failure);
      else if (this.queue.add({ id: failure.id, update }) === undefined) result.givenUp++;
      else result.kept++;
    }
    return result;
  }

  /** Sends what is pending now at once; resolves once it landed or was given up, or at `deadline`. */
  flush(deadline: number): Promise<void> {
    return this.queue.flush(deadline);
  }

  /**
   * Delivers what it can by `deadline`, then gives up the rest (an attempt still in flight is
   * counted as given up then); later PATCHes are refused. Resolves once no attempt is in flight
   * (each ends by the deadline).
   */
  async close(deadline: number): Promise<void> {
    this.queue.capDeadline(deadline);
    await this.queue.flush(deadline);
    this.queue.close();
    await this.queue.flush(deadline + SETTLE_MARGIN_MS);
  }
}
