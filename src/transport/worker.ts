/**
 * The delivery worker's entry point: the SpanSender and its HTTP client, as on the app's thread,
 * fed one batch per message. It loads no instrumentation (it is started without the app's
 * preloads), and the sender's functions are rebuilt here from data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { Warnings } from '../diagnostics.js';
import { shrinkBody } from '../translate/cap.js';
import { fromParts, type UntranslatedBatch } from '../translate/parts.js';
import { translateSpan } from '../translate/index.js';
import { unreadableSpan } from './delivery.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { SpanSender, type SpanFailure, type SpanJob, type SpanSenderOptions } from './span-sender.js';
import { joinOptions, unpackJobs, type DiagLevel, type FromWorker, type ToWorker, type WorkerSetup } from './worker-protocol.js';

if (parentPort !== null) serve(parentPort, workerData as WorkerSetup);

function serve(port: NonNullable<typeof parentPort>, setup: WorkerSetup): void {
  const post = (message: FromWorker) => port.postMessage(message);
  // The sender's diag lines go to the app's diag logger (a no-op there unless one is installed).
  const line = (level: DiagLevel) => (...args: unknown[]) => post({ type: 'diag', level, args });
  const levels: DiagLevel[] = ['error', 'warn', 'info', 'debug', 'verbose'];
  diag.setLogger(Object.fromEntries(levels.map((level) => [level, line(level)])) as never, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  // Loaded now, not on the first request: nothing in here is instrumented, and the first
  // export's deadline should not pay for it.
  void import('got').catch(() => undefined);
  const clientOptions = joinOptions<HttpClientOptions>(setup.client, 'client', post);
  const client = new HttpClient(clientOptions);
  const warnings = new Warnings(clientOptions.apiKey);
  const options: SpanSenderOptions = {
    ...joinOptions<SpanSenderOptions>(setup.sender, 'sender', post),
    shrink: (body: string) => shrinkBody(body, setup.shrinkBytes),
    redact: (text: string) => warnings.redact(text),
  };
  const sender = new SpanSender(client, options);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      client.close();
      port.close(); // nothing else keeps the worker alive: it ends
      return;
    }
    const jobs = unpackJobs(message.jobs);
    const untranslatable = message.spans === undefined ? [] : translateInto(message.spans as UntranslatedBatch, jobs);
    void sender.deliver(jobs, message.deadline).then((report) => {
      const merged = { delivered: report.delivered, failures: [...untranslatable, ...report.failures] };
      post({ type: 'report', id: message.id, report: merged, counters: { ...sender.counters }, stillFailing: sender.stillFailing() });
    });
  });
}

/** Translates each span on its own, as the exporter does, into `jobs`; returns the failures. */
function translateInto({ batch, options }: UntranslatedBatch, jobs: SpanJob[]): SpanFailure[] {
  const failures: SpanFailure[] = [];
  for (const part of batch.spans) {
    try {
      jobs.push(translateSpan(fromParts(part, batch.resources), options));
    } catch (error) {
      failures.push(unreadableSpan(error));
    }
  }
  return failures;
}
