/**
 * The delivery worker's entry point: the SpanSender and its HTTP client, as on the app's thread,
 * fed one batch per message. It loads no instrumentation (it is started without the app's
 * preloads), and the sender's functions are built here from data (`engineOptions`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { translateBatch } from '../translate/batch.js';
import { fromParts, type UntranslatedBatch } from '../translate/parts.js';
import { engineOptions } from './delivery.js';
import { HttpClient, preloadClient } from './http-client.js';
import { SpanSender, type SpanFailure, type SpanJob } from './span-sender.js';
import {
  packJobs,
  unknownMessage,
  unpackJobs,
  type DiagLevel,
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
} from './worker-protocol.js';

if (parentPort !== null) void serve(parentPort, workerData as WorkerSetup);

async function serve(port: NonNullable<typeof parentPort>, setup: WorkerSetup): Promise<void> {
  const post = (message: FromWorker) => port.postMessage(message);
  // The sender's diag lines go to the app's diag logger (a no-op there unless one is installed).
  const line =
    (level: DiagLevel) =>
    (...args: unknown[]) =>
      post({ type: 'diag', level, args });
  const levels: DiagLevel[] = ['error', 'warn', 'info', 'debug', 'verbose'];
  diag.setLogger(Object.fromEntries(levels.map((level) => [level, line(level)])) as never, {
    logLevel: DiagLogLevel.ALL,
    suppressOverrideMessage: true,
  });
  // Loaded before the first message is read: nothing in here is instrumented, and no export's
  // deadline pays for it (see `waited`).
  await preloadClient();
  const readyAt = Date.now();
  // Messages wait in the port until the listener below is attached. A request posted before this
  // worker was ready gets the time it waited added to its deadline: the worker's start-up (about
  // 0.1 s, seconds on an overloaded machine) is not the export's to pay.
  const waited = (postedAt: number) => Math.max(0, readyAt - postedAt);
  const options = engineOptions(setup, {
    onProblem: (problem) => post({ type: 'problem', problem }),
    onProxyFailure: (reason) => post({ type: 'proxy-failed', reason }),
  });
  const sender = new SpanSender(new HttpClient(options.client), options.sender);
  // Room held by `admit` here, by the admit's id, until its batch is delivered. A batch admitted
  // by a worker that died is not known here: the sender holds its spans past the bound.
  const tickets = new Map<number, number>();
  // Deliveries whose slices are arriving: each slice is translated as it comes, its copy dropped.
  const translated = new Map<number, { jobs: SpanJob[]; failures: SpanFailure[] }>();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'parts') {
      const delivery = translated.get(message.id) ?? { jobs: [], failures: [] };
      translated.set(message.id, delivery);
      const { batch, options } = message.spans as UntranslatedBatch;
      const spans = batch.spans.map((part) => fromParts(part, batch.resources));
      delivery.failures.push(...translateBatch(spans, options, delivery.jobs));
      return;
    }
    if (message.type === 'admit') {
      void sender.admit(message.count, message.deadline + waited(message.postedAt)).then((refusal) => {
        if (refusal === undefined) tickets.set(message.id, message.count);
        post({ type: 'admitted', id: message.id, refusal, waited: waited(message.postedAt) });
      });
      return;
    }
    // Only 'deliver' is left: any other message is one this build does not know, a fatal bug.
    if (message.type !== 'deliver') throw unknownMessage(message);
    const held = message.ticket === undefined ? undefined : tickets.get(message.ticket);
    if (message.ticket !== undefined) tickets.delete(message.ticket);
    const jobs = unpackJobs(message.jobs);
    const fromApp = jobs.length;
    const { jobs: fromSlices = [], failures: untranslatable = [] } = translated.get(message.id) ?? {};
    translated.delete(message.id);
    jobs.push(...fromSlices);
    void sender.deliver(jobs, message.deadline + waited(message.postedAt), held).then((report) => {
      const merged = { delivered: report.delivered, failures: [...untranslatable, ...report.failures] };
      const patches = packJobs(patchesOf(jobs.slice(fromApp), report.failures));
      post({ type: 'report', id: message.id, report: merged, counters: { ...sender.counters }, patches });
    });
  });
}

/** The PATCH-only jobs of `jobs` whose create landed and whose PATCH failed: all the app's
 * thread needs of them to keep the PATCH for a retry. */
function patchesOf(jobs: readonly SpanJob[], failures: readonly SpanFailure[]): SpanJob[] {
  const failed = new Set(failures.filter((failure) => failure.created).map((failure) => failure.id));
  return jobs.filter((job) => failed.has(job.id) && job.update !== undefined).map((job) => ({ id: job.id, update: job.update }));
}
