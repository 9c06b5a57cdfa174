/** The messages between the app's thread and the delivery worker; plain data only. */
import type { HttpClientOptions } from './http-client.js';
import type { DeliveryReport, SenderCounters, SpanJob } from './span-sender.js';

/** The worker's `workerData`: the sender's plain options, and the names of its notifications. */
export interface WorkerSetup {
  client: HttpClientOptions;
  /** The sender's options that are data (concurrency, timeouts, bounds). */
  sender: Record<string, unknown>;
  /** The sender's callbacks that only notify (onAuthFailure...): called back on the app's thread. */
  notifications: string[];
  shrinkBytes: number;
}

/** One batch per message, whatever its size: the worker's reply is one message too. */
export type ToWorker = { type: 'deliver'; id: number; jobs: readonly SpanJob[]; deadline: number } | { type: 'close' };

export type FromWorker =
  | {
      type: 'report';
      id: number;
      report: DeliveryReport;
      counters: SenderCounters;
      /** The sender's `stillFailing()` once this batch is done. */
      stillFailing: boolean;
    }
  | { type: 'call'; name: string; args: unknown[] }
  /** A `diag` line of the sender's, for the app's diag logger. */
  | { type: 'diag'; level: DiagLevel; args: unknown[] };

export type DiagLevel = 'error' | 'warn' | 'info' | 'debug' | 'verbose';
