import { OUTCOMES, type FailureReason, type LossFacts, type LossReason } from '../outcomes.js';
import { retryDelay } from './retry-policy.js';
import type { DeliveryReport, SpanFailure, SpanJob } from './span-sender.js';

export interface SpanQueueOptions {
  /** Spans waiting or being sent. */
  maxQueueSize: number;
  /** Characters of request bodies held by those spans (≈ bytes for ASCII JSON). */
  maxQueueBytes: number;
  /** A span still not delivered this long after its job was queued is given up. */
  maxSpanAgeMillis: number;
  /** Deadline of one delivery attempt, retries included. */
  attemptMillis: number;
  /** Jobs queued within this many ms go out together; 0: at the next turn of the event loop. */
  delayMillis: number;
  /** Jobs handed to the sender at once. */
  maxInFlight: number;
  /** Told of each span whose last body landed. */
  onDelivered(count: number): void;
  /** Told of each span given up, and why: the door words it (outcomes.ts). */
  onLoss(reason: LossReason, count: number, facts: LossFacts): void;
}

export interface Deliverer {
  deliver(jobs: readonly SpanJob[], deadline: number): Promise<DeliveryReport>;
}

type State = 'queued' | 'sending' | 'idle' | 'settled';
type Next = { create?: string | undefined; update?: string | undefined };

/** One span's place in the queue, from its first job to its last. A door keeps it while the span runs. */
export class QueueEntry {
  state: State = 'queued';
  /** What the span still has to send. */
  create: string | undefined;
  update: string | undefined;
  /** When the current job was queued (the age limit counts from here). */
  since: number;
  /** The span ended while its create was in flight: its next job, once the create's fate is known. */
  next: Next | undefined;
  /** Already counted as lost while in flight (its end did not fit, or shutdown): the attempt's outcome is ignored. */
  lost = false;
  /** Flushes waiting for this entry to settle. */
  waiters: (() => void)[] | undefined;

  constructor(
    readonly id: string,
    readonly parentId: string | undefined,
    job: SpanJob,
    now: number,
  ) {
    this.create = job.create;
    this.update = job.update;
    this.since = now;
  }

  /** Whether a create has left (or landed): an end state must then be a complete PATCH. */
  get createSent(): boolean {
    return this.state !== 'queued' || this.create === undefined;
  }

  /** Every body it holds, the next job's included. */
  get bytes(): number {
    return length(this.create) + length(this.update) + length(this.next?.create) + length(this.next?.update);
  }
}

const length = (body: string | undefined) => body?.length ?? 0;

const BATCH_SIZE = 64;
/** Bodies handed over at once (at least one span's): a worker transport copies them on this thread. */
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * The delivery queue of the processor and of the exporter's pending PATCHes: jobs wait here, bounded by count and bytes, and are retried
 * across as many attempts as it takes until they expire. A failed round pauses every send on a
 * shared backoff (so a down Opper sees a trickle, however fast its refusals come); the sender's
 * own health paces the requests inside a round.
 */
export class SpanQueue {
  private readonly fresh: QueueEntry[] = [];
  private readonly retries: QueueEntry[] = [];
  private readonly sending = new Set<QueueEntry>();
  /** Entries queued or sending (settled ones may still sit in the lists until taken). */
  private held = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private pauseUntil = 0;
  private failedRounds = 0;
  private flushing = 0;
  private deadlineCap = Infinity;
  private closed = false;

  constructor(
    private readonly sender: Deliverer,
    private readonly options: SpanQueueOptions,
  ) {}

  /** Spans waiting or being sent, and their bytes. */
  get size(): { spans: number; bytes: number } {
    return { spans: this.held, bytes: this.queuedBytes };
  }

  /** Queues a span's first job; undefined (counted as lost) when it does not fit. O(1). */
  add(job: SpanJob): QueueEntry | undefined {
    const entry = new QueueEntry(job.id, job.parentId, job, Date.now());
    if (!this.admit(entry.bytes, 1)) return undefined;
    this.held++;
    this.queuedBytes += entry.bytes;
    this.fresh.push(entry);
    this.schedule();
    return entry;
  }

  /**
   * The span's next job (its end, or its unfinished state at shutdown). O(1). Its bytes count
   * against `maxQueueBytes` whatever the entry's state; an end that does not fit is given up with
   * its span (counted once, as queue-full): a create still queued is not sent either, a create in
   * flight finishes its attempt and no end follows it.
   */
  finish(entry: QueueEntry, job: Next): void {
    if (entry.state === 'settled' || entry.lost) return; // given up earlier: counted then
    // The create has not left: send the later state instead.
    const replaced: Next =
      entry.state === 'queued'
        ? { create: entry.create === undefined ? undefined : (job.create ?? entry.create), update: job.update }
        : job;
    const before = entry.state === 'queued' ? entry.bytes : length(entry.next?.create) + length(entry.next?.update);
    const grows = length(replaced.create) + length(replaced.update) - before;
    if (!this.admit(grows, entry.state === 'idle' ? 1 : 0)) {
      if (entry.state !== 'sending') return this.settle(entry);
      entry.lost = true;
      return;
    }
    switch (entry.state) {
      case 'sending':
        this.queuedBytes += grows;
        entry.next = job;
        return;
      case 'queued':
        this.resize(entry, replaced.create, replaced.update);
        return;
      case 'idle':
        this.held++;
        entry.state = 'queued';
        entry.since = Date.now();
        this.resize(entry, undefined, job.update);
        this.fresh.push(entry);
        this.schedule();
    }
  }

  /**
   * Resolves once every span queued or in flight now has been delivered or given up, or when
   * `deadline` passes (what is left stays queued). Sends at once, without the coalescing delay.
   */
  async flush(deadline: number): Promise<void> {
    const pending = [...this.fresh, ...this.retries, ...this.sending].filter((entry) => entry.state !== 'settled');
    if (pending.length === 0) return;
    this.flushing++;
    // A send waiting out the coalescing delay goes now (an outage's pause still holds).
    if (this.timer !== undefined) {
      this.clearTimer();
      this.schedule();
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(pending.map((entry) => new Promise<void>((resolve) => (entry.waiters ??= []).push(resolve)))),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ]);
    } finally {
      clearTimeout(timer);
      this.flushing--;
    }
  }

  /** From now on no attempt runs past `deadline` (shutdown). */
  capDeadline(deadline: number): void {
    this.deadlineCap = Math.min(this.deadlineCap, deadline);
    this.schedule();
  }

  /**
   * Gives up every span still queued or in flight, counted now (the outcome of an attempt still
   * running is ignored: the door cancels it); later jobs are refused.
   */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clearTimer();
    const left = [...this.fresh, ...this.retries].filter((entry) => entry.state === 'queued');
    this.fresh.length = this.retries.length = 0;
    const inFlight = [...this.sending].filter((entry) => !entry.lost);
    const count = left.length + inFlight.length;
    if (count > 0) this.options.onLoss('shutdown', count, { held: 'queued' });
    for (const entry of left) this.settle(entry);
    for (const entry of inFlight) entry.lost = true;
  }

  /** Whether `bytes` more (and `count` more spans) fit; if not the span is counted as lost. */
  private admit(bytes: number, count: number): boolean {
    const { maxQueueSize, maxQueueBytes } = this.options;
    if (this.closed) {
      this.options.onLoss('shutdown', 1, {});
      return false;
    }
    if (this.held + count > maxQueueSize || this.queuedBytes + bytes > maxQueueBytes) {
      this.options.onLoss('queue-full', 1, {});
      return false;
    }
    return true;
  }

  private resize(entry: QueueEntry, create: string | undefined, update: string | undefined): void {
    this.queuedBytes -= entry.bytes;
    entry.create = create;
    entry.update = update;
    this.queuedBytes += entry.bytes;
  }

  /** `now`: without the coalescing delay (the rest of a round already under way). */
  private schedule(now = false): void {
    if (this.timer !== undefined || this.closed) return;
    const queued = this.fresh.length + this.retries.length;
    if (queued === 0 || this.sending.size >= this.options.maxInFlight) return;
    const delay = Math.max(this.flushing > 0 || now ? 0 : this.options.delayMillis, this.pauseUntil - Date.now());
    // Unref'd: a queue waiting to send never keeps the process alive (shutdown flushes it).
    this.timer = delay <= 0 ? setImmediate(() => this.pump()) : setTimeout(() => this.pump(), delay);
    this.timer.unref();
  }

  private clearTimer(): void {
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private pump(): void {
    this.timer = undefined;
    const now = Date.now();
    if (now < this.pauseUntil) return this.schedule();
    // One batch per turn of the event loop: handing it to a worker copies it on this thread.
    const batch = this.take(Math.min(BATCH_SIZE, this.options.maxInFlight - this.sending.size), now);
    if (batch.length > 0) this.send(batch, Math.min(now + this.options.attemptMillis, this.deadlineCap));
    this.schedule(true);
  }

  /** Up to `count` entries and about `BATCH_BYTES`, retries (the oldest) first; expired ones are given up on the way. */
  private take(count: number, now: number): QueueEntry[] {
    const batch: QueueEntry[] = [];
    let expired = 0;
    let bytes = 0;
    for (const list of [this.retries, this.fresh]) {
      let taken = 0;
      while (taken < list.length && batch.length < count && bytes < BATCH_BYTES) {
        const entry = list[taken++]!;
        if (entry.state !== 'queued') continue;
        if (now - entry.since >= this.options.maxSpanAgeMillis) {
          expired++;
          this.settle(entry);
        } else {
          batch.push(entry);
          bytes += entry.bytes;
        }
      }
      list.splice(0, taken);
    }
    if (expired > 0) this.options.onLoss('expired', expired, {});
    return batch;
  }

  private send(batch: QueueEntry[], deadline: number): void {
    const jobs: SpanJob[] = [];
    for (const entry of batch) {
      entry.state = 'sending';
      this.sending.add(entry);
      const job: SpanJob = { id: entry.id };
      if (entry.parentId !== undefined) job.parentId = entry.parentId;
      if (entry.create !== undefined) job.create = entry.create;
      if (entry.update !== undefined) job.update = entry.update;
      jobs.push(job);
    }
    this.sender
      .deliver(jobs, deadline)
      .catch((error: unknown): DeliveryReport => {
        const detail = error instanceof Error ? error.message : String(error);
        return { delivered: 0, failures: jobs.map((job) => ({ id: job.id, reason: 'deadline', detail, unsent: true, created: false })) };
      })
      .then((report) => this.received(batch, report));
  }

  private received(batch: QueueEntry[], report: DeliveryReport): void {
    const failures = new Map<string, SpanFailure>(report.failures.map((failure) => [failure.id, failure]));
    const lost = new Map<FailureReason, { count: number; detail: string }>();
    let delivered = 0;
    let retried = 0;
    for (const entry of batch) {
      this.sending.delete(entry);
      if (entry.lost) {
        this.settle(entry); // counted when it was given up
        continue;
      }
      const failure = failures.get(entry.id);
      const created = failure === undefined || failure.created;
      if (failure === undefined && entry.update !== undefined) {
        delivered++;
        this.settle(entry);
      } else if (failure !== undefined && !OUTCOMES[failure.reason].retried) {
        const group = lost.get(failure.reason) ?? { count: 0, detail: failure.detail };
        group.count++;
        lost.set(failure.reason, group);
        this.settle(entry);
      } else {
        if (failure !== undefined) retried++;
        this.again(entry, created);
      }
    }
    if (delivered > 0) this.options.onDelivered(delivered);
    for (const [reason, { count, detail }] of lost) this.options.onLoss(reason, count, { detail });
    // A round in which nothing landed and something must be retried pauses every send.
    if (delivered === 0 && retried > 0) {
      const now = Date.now();
      this.pauseUntil = now + retryDelay(++this.failedRounds, undefined, now, Math.random());
    } else if (delivered > 0) this.failedRounds = 0;
    this.schedule();
  }

  /** After an attempt that left the span unfinished: queues what remains, or waits for its end. */
  private again(entry: QueueEntry, created: boolean): void {
    const next = entry.next;
    const create = created ? undefined : (next?.create ?? entry.create);
    const update = next ? next.update : entry.update;
    this.queuedBytes -= length(next?.create) + length(next?.update);
    entry.next = undefined;
    if (create === undefined && update === undefined) {
      // A live create landed and the span is still running.
      this.queuedBytes -= entry.bytes;
      this.held--;
      entry.create = entry.update = undefined;
      entry.state = 'idle';
      this.wake(entry);
      return;
    }
    this.resize(entry, create, update);
    if (next) entry.since = Date.now();
    entry.state = 'queued';
    (next ? this.fresh : this.retries).push(entry);
  }

  private settle(entry: QueueEntry): void {
    if (entry.state === 'settled') return;
    if (entry.state !== 'idle') {
      this.queuedBytes -= entry.bytes;
      this.held--;
    }
    entry.state = 'settled';
    entry.create = entry.update = entry.next = undefined;
    this.wake(entry);
  }

  private wake(entry: QueueEntry): void {
    const waiters = entry.waiters;
    entry.waiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }
}
