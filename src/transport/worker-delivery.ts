/**
 * The delivery engine in a `worker_threads` worker: the app's thread posts each batch of jobs as
 * one message and gets one report back, so got, node:http and their garbage cost the app's event
 * loop nothing. What is in flight between the threads is bounded by the door above: the exporter
 * refuses past `maxPendingSpans`, the processor's queue hands over at most `maxInFlight` jobs.
 */
import { Worker } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import type { Delivery, DeliverySetup } from './delivery.js';
import type { DeliveryReport, SenderCounters, SpanJob } from './span-sender.js';
import { packJobs, splitOptions, type FromWorker, type ToWorker, type WorkerSetup } from './worker-protocol.js';

/** A batch whose worker died is sent again once, to a new worker; a second death fails it. */
const MAX_TRIES = 2;

interface InFlight {
  jobs: readonly SpanJob[];
  /** Untranslated spans, translated by the worker; `fallback` translates them here instead. */
  spans?: unknown;
  fallback?: () => SpanJob[];
  /** Spans in `jobs` and `spans` together. */
  readonly count: number;
  readonly deadline: number;
  readonly resolve: (report: DeliveryReport) => void;
  tries: number;
}

export class WorkerDelivery implements Delivery {
  private worker: Worker | undefined;
  private workerError: Error | undefined;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 0;
  private pendingSpans = 0;
  /** The worker's sender said, in its last report, that a delivery failed in a lasting outage. */
  private stillFailing = false;
  /** Counters of workers that died, plus the live worker's last ones. */
  private readonly past: SenderCounters = { requests: 0, retries: 0 };
  private live: SenderCounters = { requests: 0, retries: 0 };
  private closed = false;

  /** `onWorkerStopped` is told (on this thread) each time the worker dies unasked. */
  constructor(
    private readonly setup: DeliverySetup,
    private readonly onWorkerStopped: (detail: string) => void,
  ) {}

  get counters(): SenderCounters {
    return { requests: this.past.requests + this.live.requests, retries: this.past.retries + this.live.retries };
  }

  /** `SpanSender.refusal`'s rule, decided here without a round trip: the worker's outage state
   * comes with each report. */
  refusal(count: number): string | undefined {
    if (this.pendingSpans === 0) return undefined;
    if (this.stillFailing) return 'Opper is unavailable and an earlier export is still trying';
    const { maxPendingSpans } = this.setup.sender;
    if (this.pendingSpans + count > maxPendingSpans) {
      return `${this.pendingSpans} spans are still being delivered (maxPendingSpans ${maxPendingSpans}): Opper is slow or unavailable`;
    }
    return undefined;
  }

  deliver(jobs: readonly SpanJob[], deadline: number): Promise<DeliveryReport> {
    return this.start({ jobs, count: jobs.length, deadline });
  }

  deliverUntranslated(spans: unknown, jobs: readonly SpanJob[], count: number, fallback: () => SpanJob[], deadline: number): Promise<DeliveryReport> {
    return this.start({ jobs, spans, fallback, count, deadline });
  }

  close(): void {
    this.closed = true;
    this.send({ type: 'close' });
  }

  private start(batch: Omit<InFlight, 'resolve' | 'tries'>): Promise<DeliveryReport> {
    if (this.closed) return Promise.resolve(failed(batch, 'the exporter is shut down', true));
    return new Promise((resolve) => {
      const id = ++this.nextId;
      this.inFlight.set(id, { ...batch, resolve, tries: 0 });
      this.pendingSpans += batch.count;
      try {
        this.post(id);
      } catch (error) {
        // No worker could be started, or the jobs could not be posted: nothing was sent.
        this.settle(id, `the exporter's delivery worker could not take the spans (${String(error)})`, true);
      }
    });
  }

  private post(id: number): void {
    const batch = this.inFlight.get(id)!;
    batch.tries++;
    // Started at the first delivery, not before: creating a worker loads node:net here, and the
    // package loads no network module before the first export. Its start-up (~0.1 s; seconds
    // on an overloaded machine) is paid out of that delivery's deadline.
    const worker = (this.worker ??= this.spawn());
    // Held alive only while it has work, as the inline transport's sockets and timers would be.
    worker.ref();
    try {
      worker.postMessage({ type: 'deliver', id, jobs: packJobs(batch.jobs), spans: batch.spans, deadline: batch.deadline } satisfies ToWorker);
    } catch (error) {
      if (batch.fallback === undefined) throw error;
      // Span data postMessage cannot copy (a function among the attributes): translated here.
      batch.jobs = batch.fallback();
      delete batch.spans;
      delete batch.fallback;
      worker.postMessage({ type: 'deliver', id, jobs: packJobs(batch.jobs), deadline: batch.deadline } satisfies ToWorker);
    }
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private spawn(): Worker {
    const { client, sender, shrinkBytes } = this.setup;
    const setup: WorkerSetup = { client: splitOptions(client), sender: splitOptions(sender, ['shrink', 'redact']), shrinkBytes };
    // Without the app's preloads (--import, --require, in execArgv or NODE_OPTIONS): they would
    // start a second SDK, with its own exporter, in here.
    const { NODE_OPTIONS: _, ...env } = process.env;
    const worker = new Worker(workerScript(), { workerData: setup, execArgv: [], env });
    this.workerError = undefined;
    worker.on('message', (message: FromWorker) => this.received(message));
    worker.on('error', (error) => (this.workerError = error));
    worker.on('exit', (code) => this.exited(worker, code));
    return worker;
  }

  private received(message: FromWorker): void {
    if (message.type === 'diag') return diag[message.level](...(message.args as [string]));
    if (message.type === 'call') {
      const notify = (this.setup[message.owner] as unknown as Record<string, (...args: unknown[]) => void>)[message.name];
      notify?.(...message.args);
      return;
    }
    const batch = this.inFlight.get(message.id);
    if (batch === undefined) return;
    this.inFlight.delete(message.id);
    this.pendingSpans -= batch.count;
    this.live = message.counters;
    this.stillFailing = message.stillFailing;
    if (this.inFlight.size === 0) this.worker?.unref();
    batch.resolve(message.report);
  }

  /** A worker that died unasked is replaced; its batches go to the new one, or fail, counted. */
  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.past.requests += this.live.requests;
    this.past.retries += this.live.retries;
    this.live = { requests: 0, retries: 0 };
    this.stillFailing = false;
    if (this.closed) {
      // Closed with deliveries still in flight (a processor's shutdown that ran out of time).
      for (const id of [...this.inFlight.keys()]) this.settle(id, 'the exporter shut down before they were delivered', false);
      return;
    }
    const detail = `the exporter's delivery worker stopped (${this.workerError?.message ?? `exit code ${code}`})`;
    this.onWorkerStopped(detail);
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
  }

  /** Ends a batch as failed, counted. */
  private settle(id: number, detail: string, unsent: boolean): void {
    const batch = this.inFlight.get(id);
    if (batch === undefined) return;
    this.inFlight.delete(id);
    this.pendingSpans -= batch.count;
    if (this.inFlight.size === 0) this.worker?.unref();
    batch.resolve(failed(batch, detail, unsent));
  }
}

/** Every span of a batch failed, for `detail`; `unsent` false: whether any of it landed is unknown.
 * Untranslated spans have no Opper id yet: `?`. */
function failed(batch: Pick<InFlight, 'jobs' | 'count'>, detail: string, unsent: boolean): DeliveryReport {
  const ids = [...batch.jobs.map((job) => job.id), ...Array<string>(batch.count - batch.jobs.length).fill('?')];
  return { delivered: 0, failures: ids.map((id) => ({ id, reason: 'deadline', detail, unsent, created: false })) };
}

/** The compiled worker beside this module. Under Jest this module runs as TypeScript from src/;
 * the worker is always the build in dist/ (npm test builds first). */
function workerScript(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? '../../dist/transport/worker.js' : './worker.js', here);
}
