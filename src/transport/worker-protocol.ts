/** The messages between the app's thread and the delivery worker; plain data only. */
import type { DeliveryReport, SenderCounters, SpanJob } from './span-sender.js';

/** Options split for `workerData`: the data, and the names of the callbacks that only notify
 * (onProblem, onProxyFailure...), which the worker calls back on the app's thread. */
export interface SplitOptions {
  data: Record<string, unknown>;
  notifications: string[];
}

/** The worker's `workerData`. */
export interface WorkerSetup {
  client: SplitOptions;
  /** `shrink` and `redact` are left out: the worker rebuilds them (from `shrinkBytes`, the key). */
  sender: SplitOptions;
  shrinkBytes: number;
}

/** Which options of the HTTP client or the sender a notification belongs to. */
export type Owner = 'client' | 'sender';

/** `options` as data and notification names, leaving out the functions named in `rebuilt`. */
export function splitOptions(options: object, rebuilt: readonly string[] = []): SplitOptions {
  const entries = Object.entries(options).filter(([name]) => !rebuilt.includes(name));
  return {
    data: Object.fromEntries(entries.filter(([, value]) => typeof value !== 'function')),
    notifications: entries.filter(([, value]) => typeof value === 'function').map(([name]) => name),
  };
}

/** The options again, each notification posting `{ type: 'call', owner, name, args }`. */
export function joinOptions<T>(split: SplitOptions, owner: Owner, post: (message: FromWorker) => void): T {
  const notify =
    (name: string) =>
    (...args: unknown[]) =>
      post({ type: 'call', owner, name, args });
  return { ...split.data, ...Object.fromEntries(split.notifications.map((name) => [name, notify(name)])) } as T;
}

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
  | { type: 'call'; owner: Owner; name: string; args: unknown[] }
  /** A `diag` line of the sender's, for the app's diag logger. */
  | { type: 'diag'; level: DiagLevel; args: unknown[] };

export type DiagLevel = 'error' | 'warn' | 'info' | 'debug' | 'verbose';
