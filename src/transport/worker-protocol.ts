/** The messages between the app's thread and the delivery worker; plain data only. */
import type { DeliverySetup } from './delivery.js';
import type { Problem } from './problems.js';
import type { DeliveryReport, SenderCounters, SpanJob } from './span-sender.js';

/** The worker's `workerData`: plain data, from which the worker builds its sender's and client's
 * functions (`engineOptions`), each notification posted back as a message of its own. */
export type WorkerSetup = DeliverySetup;

/** One batch per message, whatever its size: the worker's reply is one message too. */
export type ToWorker =
  /** A slice of the spans of delivery `id`, to translate in the worker (opaque here: the worker's entry reads them). */
  | { type: 'parts'; id: number; spans: unknown }
  | {
      type: 'deliver';
      id: number;
      /** Sent with the slices of `parts` messages of the same id that came before. */
      jobs: PackedJobs;
      /** The id of the `admit` that took room for the batch: unknown to a worker started since. */
      ticket: number | undefined;
      deadline: number;
      /** When it was posted: a worker still starting adds the time it took to `deadline`. */
      postedAt: number;
    }
  /** `SpanSender.admit`, answered by `admitted`. */
  | { type: 'admit'; id: number; count: number; deadline: number; postedAt: number };

/** Jobs as one flat array of strings, four per job (id, parentId, create, update): structured
 * clone copies it several times faster than the same jobs as objects (measured: bench rows 8). */
export type PackedJobs = (string | undefined)[];

export function packJobs(jobs: readonly SpanJob[]): PackedJobs {
  const packed: PackedJobs = new Array<string | undefined>(jobs.length * 4);
  jobs.forEach((job, i) => {
    packed[i * 4] = job.id;
    packed[i * 4 + 1] = job.parentId;
    packed[i * 4 + 2] = job.create;
    packed[i * 4 + 3] = job.update;
  });
  return packed;
}

export function unpackJobs(packed: PackedJobs): SpanJob[] {
  const jobs: SpanJob[] = [];
  for (let i = 0; i < packed.length; i += 4) {
    const job: SpanJob = { id: packed[i]! };
    if (packed[i + 1] !== undefined) job.parentId = packed[i + 1];
    if (packed[i + 2] !== undefined) job.create = packed[i + 2];
    if (packed[i + 3] !== undefined) job.update = packed[i + 3];
    jobs.push(job);
  }
  return jobs;
}

export type FromWorker =
  | {
      type: 'report';
      id: number;
      report: DeliveryReport;
      counters: SenderCounters;
      /** PATCH-only jobs of the spans translated here whose create landed and PATCH failed. */
      patches: PackedJobs;
    }
  /** `waited`: how long the admission waited for the worker to start (added to the delivery's deadline). */
  | { type: 'admitted'; id: number; refusal: string | undefined; waited: number }
  /** `EngineNotifications.onProblem`. */
  | { type: 'problem'; problem: Problem }
  /** `EngineNotifications.onProxyFailure`. */
  | { type: 'proxy-failed'; reason: string }
  /** A `diag` line of the sender's, for the app's diag logger. */
  | { type: 'diag'; level: DiagLevel; args: unknown[] };

export type DiagLevel = 'error' | 'warn' | 'info' | 'debug' | 'verbose';

/** For the `default` of a switch over messages: a message this build does not know is a bug, and fatal. */
export function unknownMessage(message: never): Error {
  return new Error(`delivery worker protocol: unknown message ${JSON.stringify((message as { type?: unknown }).type)}`);
}
