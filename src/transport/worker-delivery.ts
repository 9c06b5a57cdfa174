/**
 * The delivery engine in a `worker_threads` worker: the app's thread posts each batch of jobs as
 * one message and gets one report back, so got, node:http and their garbage cost the app's event
 * loop nothing. What is in flight between the threads is bounded by the worker's sender: the
 * exporter waits for its admission (`admit`, a round trip), the processor's queue and the pending
 * PATCHes hand over at most `maxInFlight` jobs.
 */
import { Worker } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import type {
  Admitted,
  Delivered,
  Delivery,
  DeliverySetup,
  EngineNotifications,
  Ticket,
  UntranslatedDelivery,
  UntranslatedSlice,
} from './delivery.js';
import type { DeliveryReport, SenderCounters, SpanJob } from './span-sender.js';
import { packJobs, unknownMessage, unpackJobs, type FromWorker, type ToWorker, type WorkerSetup } from './worker-protocol.js';

const NO_COUNTS: SenderCounters = { requests: 0, retries: 0, pushedBack: 0, windowsBehind: 0, concurrency: 0 };

/** A batch whose worker died is sent again once, to a new worker; a second death fails it. */
const MAX_TRIES = 2;

interface InFlight {
  jobs: SpanJob[];
  /** Untranslated spans handed over so far (`untranslated` of them), translated by the worker. */
  slices: UntranslatedSlice[];
  untranslated: number;
  /** Whether every slice has been read (the batch may then be delivered). */
  complete: boolean;
  /** Set when it failed before its last slice was read: it resolves once that is read. */
  failure?: { detail: string; unsent: boolean };
  readonly ticket: WorkerTicket | undefined;
  readonly deadline: number;
  readonly resolve: (delivered: Delivered) => void;
  tries: number;
}

interface Admitting {
  readonly count: number;
  readonly deadline: number;
  readonly resolve: (admitted: Admitted) => void;
}

/** A ticket of the worker's: its sender holds the room under the id of the `admit` message. */
interface WorkerTicket extends Ticket {
  readonly id: number;
  /** What the admission waited for the worker to start: its delivery gets that long more (the
   * worker's start-up is not the export's to pay). */
  readonly waited: number;
}

export class WorkerDelivery implements Delivery {
  private worker: Worker | undefined;
  private workerError: Error | undefined;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly admitting = new Map<number, Admitting>();
  private nextId = 0;
  /** Counters of workers that died, plus the live worker's last ones. */
  private readonly past: SenderCounters = { ...NO_COUNTS };
  private live: SenderCounters = { ...NO_COUNTS };
  private closed = false;

  /** `notify` is told (on this thread) what the worker's sender and client say, and
   * `onWorkerStopped` each time the worker dies unasked. */
  constructor(
    private readonly setup: DeliverySetup,
    private readonly notify: EngineNotifications,
    private readonly onWorkerStopped: (detail: string) => void,
  ) {
    // Started at the next turn of the event loop, idle and unref'd, so that it is usually ready
    // before the first export (an export that waits for it anyway has the wait added to its
    // deadline, in the worker). Its module loads (got, node:http) happen in its own registry,
    // never in the app's.
    setImmediate(() => {
      if (this.closed || this.worker !== undefined) return;
      try {
        this.worker = this.spawn();
        this.idleCheck();
      } catch {
        // tried again at the first delivery, which reports the failure
      }
    }).unref();
  }

  get counters(): SenderCounters {
    const { past, live } = this;
    return {
      requests: past.requests + live.requests,
      retries: past.retries + live.retries,
      pushedBack: past.pushedBack + live.pushedBack,
      windowsBehind: past.windowsBehind + live.windowsBehind,
      concurrency: live.concurrency,
    };
  }

  /** `SpanSender.admit` in the worker: one round trip, the rule and its messages kept there. */
  admit(count: number, deadline: number): Promise<Admitted> {
    if (this.closed) return Promise.resolve({ refusal: 'the delivery is shut down' });
    return new Promise((resolve) => {
      const id = ++this.nextId;
      this.admitting.set(id, { count, deadline, resolve });
      try {
        this.postAdmit(id);
      } catch (error) {
        this.admitting.delete(id);
        this.idleCheck();
        resolve({ refusal: `the delivery worker could not be started (${String(error)})` });
      }
    });
  }

  deliver(jobs: readonly SpanJob[], deadline: number, ticket?: WorkerTicket): Promise<DeliveryReport> {
    return this.start({ jobs: [...jobs], slices: [], untranslated: 0, complete: true, ticket, deadline }).then(({ report }) => report);
  }

  /**
   * Posts each slice as it comes, one message each (the copy of one slice at a time, never of the
   * whole batch), then the delivery itself. A slice cannot be copied: translated here.
   */
  async deliverUntranslated(
    slices: AsyncIterable<UntranslatedSlice>,
    { jobs, deadline, ticket }: UntranslatedDelivery & { ticket: WorkerTicket },
  ): Promise<Delivered> {
    const batch = { jobs, slices: [], untranslated: 0, complete: false, ticket, deadline };
    let id = 0;
    const delivered = this.start(batch, (started) => (id = started));
    const current = this.inFlight.get(id); // undefined: shut down
    for await (const slice of slices) {
      if (current === undefined || current.failure !== undefined) {
        (current ?? batch).untranslated += slice.count; // failed meanwhile: counted with the rest
        continue;
      }
      current.slices.push(slice);
      current.untranslated += slice.count;
      this.tryPost(id, () => this.postSlice(id, current, slice));
    }
    if (current === undefined) return failed(batch, 'the delivery is shut down', true);
    current.complete = true;
    if (current.failure !== undefined) current.resolve(failed(current, current.failure.detail, current.failure.unsent));
    else if (this.inFlight.has(id)) this.tryPost(id, () => this.postDeliver(id, current));
    return delivered;
  }

  /** Ends the worker at once, its requests with it: what was in flight fails here, counted, now. */
  close(): void {
    this.closed = true;
    for (const id of [...this.inFlight.keys()]) this.settle(id, 'the delivery was shut down before they were delivered', false);
    for (const { resolve } of this.admitting.values()) resolve({ refusal: 'the delivery is shut down' });
    this.admitting.clear();
    void this.worker?.terminate();
  }

  /** Registers the batch (its id told to `started`) and posts what it has so far. */
  private start(batch: Omit<InFlight, 'resolve' | 'tries'>, started?: (id: number) => void): Promise<Delivered> {
    if (this.closed) return Promise.resolve(failed(batch, 'the delivery is shut down', true));
    return new Promise((resolve) => {
      const id = ++this.nextId;
      this.inFlight.set(id, { ...batch, resolve, tries: 0 });
      started?.(id);
      this.tryPost(id, () => this.post(id));
    });
  }

  private tryPost(id: number, post: () => void): void {
    try {
      post();
    } catch (error) {
      // No worker could be started, or the jobs could not be posted: nothing was sent.
      this.settle(id, `the delivery worker could not take the spans (${String(error)})`, true);
    }
  }

  /** The live worker, started if need be, held alive while it has work (as the inline
   * transport's sockets and timers would hold the process). */
  private busyWorker(): Worker {
    const worker = (this.worker ??= this.spawn());
    worker.ref();
    return worker;
  }

  private postAdmit(id: number): void {
    const { count, deadline } = this.admitting.get(id)!;
    this.busyWorker().postMessage({ type: 'admit', id, count, deadline, postedAt: Date.now() } satisfies ToWorker);
  }

  /** Posts the batch's slices so far, and the batch once complete (again, to a new worker). */
  private post(id: number): void {
    const batch = this.inFlight.get(id)!;
    batch.tries++;
    for (const slice of [...batch.slices]) this.postSlice(id, batch, slice);
    if (batch.complete) this.postDeliver(id, batch);
  }

  private postSlice(id: number, batch: InFlight, slice: UntranslatedSlice): void {
    const worker = this.busyWorker();
    try {
      worker.postMessage({ type: 'parts', id, spans: slice.spans } satisfies ToWorker);
    } catch {
      // Span data postMessage cannot copy (a function among the attributes): translated here.
      batch.slices.splice(batch.slices.indexOf(slice), 1);
      batch.untranslated -= slice.count;
      batch.jobs.push(...slice.fallback());
    }
  }

  private postDeliver(id: number, batch: InFlight): void {
    const { ticket } = batch;
    const deadline = batch.deadline + (ticket?.waited ?? 0);
    this.busyWorker().postMessage({
      type: 'deliver',
      id,
      jobs: packJobs(batch.jobs),
      ticket: ticket?.id,
      deadline,
      postedAt: Date.now(),
    } satisfies ToWorker);
  }

  private spawn(): Worker {
    // Without the app's preloads (--import, --require, in execArgv or NODE_OPTIONS): they would
    // start a second SDK, with its own exporter, in here.
    const { NODE_OPTIONS: _, ...env } = process.env;
    const worker = new Worker(workerScript(), { workerData: this.setup satisfies WorkerSetup, execArgv: [], env });
    this.workerError = undefined;
    worker.on('message', (message: FromWorker) => this.received(message));
    worker.on('error', (error) => (this.workerError = error));
    worker.on('exit', (code) => this.exited(worker, code));
    return worker;
  }

  private received(message: FromWorker): void {
    switch (message.type) {
      case 'diag':
        return diag[message.level](...(message.args as [string]));
      case 'problem':
        return this.notify.onProblem(message.problem);
      case 'proxy-failed':
        return this.notify.onProxyFailure?.(message.reason);
      case 'admitted': {
        const waiting = this.admitting.get(message.id);
        this.admitting.delete(message.id);
        this.idleCheck();
        if (waiting === undefined) return;
        const ticket: WorkerTicket = { spans: waiting.count, id: message.id, waited: message.waited };
        return waiting.resolve(message.refusal === undefined ? { ticket } : { refusal: message.refusal });
      }
      case 'report': {
        const batch = this.inFlight.get(message.id);
        if (batch === undefined) return;
        this.inFlight.delete(message.id);
        this.live = message.counters;
        this.idleCheck();
        batch.resolve({ report: message.report, jobs: [...batch.jobs, ...unpackJobs(message.patches)] });
        return;
      }
      default:
        // A message this build does not know: the worker is a wrong one; ended, it is replaced and warned about.
        this.workerError = unknownMessage(message);
        void this.worker?.terminate();
    }
  }

  /** Lets the process end while the worker has nothing to do. */
  private idleCheck(): void {
    if (this.inFlight.size === 0 && this.admitting.size === 0) this.worker?.unref();
  }

  /** A worker that died unasked is replaced; its batches go to the new one, or fail, counted. */
  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    Object.assign(this.past, { ...this.counters, concurrency: 0 });
    this.live = { ...NO_COUNTS };
    if (this.closed) return; // what it had in flight was settled by close()
    const detail = `the delivery worker stopped (${this.workerError?.message ?? `exit code ${code}`})`;
    this.onWorkerStopped(detail);
    // Waiting admissions ask the new worker; what the dead one had admitted is forced there.
    for (const [id, waiting] of [...this.admitting]) {
      try {
        this.postAdmit(id);
      } catch {
        this.admitting.delete(id);
        waiting.resolve({ refusal: detail });
      }
    }
    for (const [id, batch] of [...this.inFlight]) {
      if (batch.tries < MAX_TRIES && batch.deadline > Date.now()) {
        try {
          this.post(id);
          continue;
        } catch {
          // settled below
        }
      }
      this.settle(id, detail, false);
    }
    this.idleCheck();
  }

  /** Ends a batch as failed, counted (once its last slice has been read). */
  private settle(id: number, detail: string, unsent: boolean): void {
    const batch = this.inFlight.get(id);
    if (batch === undefined) return;
    this.inFlight.delete(id);
    this.idleCheck();
    if (batch.complete) batch.resolve(failed(batch, detail, unsent));
    else batch.failure = { detail, unsent };
  }
}

/**
 * Every span of a batch failed for `detail`, as a deadline would fail it (not confirmed in time:
 * a queue tries it again). `unsent` false: whether any of it landed is unknown, except that a job
 * without a create had its create land earlier. Untranslated spans have no Opper id yet: `?`.
 */
function failed(batch: Pick<InFlight, 'jobs' | 'untranslated'>, detail: string, unsent: boolean): Delivered {
  const failures = batch.jobs.map((job) => ({
    id: job.id,
    reason: 'deadline' as const,
    detail,
    unsent,
    created: job.create === undefined,
  }));
  for (let i = 0; i < batch.untranslated; i++) failures.push({ id: '?', reason: 'deadline', detail, unsent, created: false });
  return { report: { delivered: 0, failures }, jobs: [...batch.jobs] };
}

/** The compiled worker beside this module. Under Jest this module runs as TypeScript from src/;
 * the worker is always the build in dist/ (npm test builds first). */
function workerScript(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? '../../dist/transport/worker.js' : './worker.js', here);
}
