import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resolveConfig, type ExporterConfig, type OpperExporterOptions } from './config.js';
import { RecordingCheck } from './coexistence.js';
import { Warnings } from './diagnostics.js';
import { ERROR_TYPES, ExporterMetrics, type ExportObservation } from './self-metrics.js';
import { startEngine, translateOptions } from './engine.js';
import type { HttpClient } from './transport/http-client.js';
import type { DeliveryReport, FailureReason, SpanFailure, SpanJob, SpanSender } from './transport/span-sender.js';
import { translateSpan, type TranslateOptions } from './translate/index.js';
import type { ReadableSpanLike } from './translate/types.js';

/** Counters for health checks; they only grow. */
export interface OpperExporterStats {
  /** Spans whose create and PATCH Opper accepted. */
  spansExported: number;
  /** Spans not (completely) stored: refused by Opper, or not accepted before the deadline. */
  spansFailed: number;
  /** Spans refused without trying: no API key, a rejected key or an untrusted TLS certificate,
   * after shutdown, during an outage while an earlier export is still trying, or past `maxPendingSpans`. */
  spansDropped: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests that were retries of an earlier one. */
  requestsRetried: number;
}

/** OpenTelemetry `SpanExporter` that sends each ended span to Opper as a create and a PATCH. */
export class OpperSpanExporter {
  private readonly config: ExporterConfig;
  private readonly warnings: Warnings;
  private readonly translation: TranslateOptions;
  private readonly client: HttpClient | undefined;
  private readonly sender: SpanSender | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly recording: RecordingCheck | undefined;
  private readonly metrics: ExporterMetrics | undefined;
  private readonly stats = { spansExported: 0, spansFailed: 0, spansDropped: 0 };
  private shutdownPromise?: Promise<void>;

  constructor(options: OpperExporterOptions = {}) {
    this.config = resolveConfig(options);
    this.warnings = new Warnings(this.config.apiKey);
    this.translation = translateOptions(this.config, this.warnings, 'OpperSpanExporter');
    const engine = startEngine(this.config, this.warnings, 'OpperSpanExporter');
    this.client = engine?.client;
    this.sender = engine?.sender;
    if (this.config.disabled) return;
    this.recording = new RecordingCheck(this.warnings, 'OpperSpanExporter');
    if (this.config.meterProvider) this.metrics = new ExporterMetrics(this.config.meterProvider, this.config.baseUrl);
  }

  /** Sends the spans; calls `resultCallback` exactly once and never throws. */
  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    let observation: ExportObservation | undefined;
    const finish = (error?: Error) => {
      if (called) return;
      called = true;
      observation?.end();
      const report = () => {
        try {
          resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
        } catch (callbackError) {
          diag.error('OpperSpanExporter: the export result callback threw', callbackError);
        }
      };
      // A failure reaches the app (a rejected provider.shutdown(), then often process.exit) only
      // after the warning that names its cause has been printed.
      if (error) void this.warnings.printed().then(report);
      else report();
    };
    try {
      // OTEL_SDK_DISABLED: a no-op exporter, which succeeds at doing nothing.
      if (this.config.disabled) return finish();
      this.recording?.seen();
      const count = Array.isArray(spans) ? spans.length : 0;
      observation = this.metrics?.started(count);
      if (this.shutdownPromise) return this.drop(count, 'the exporter is shut down', finish, 'already_shutdown', observation);
      if (!this.sender) return this.drop(count, this.config.environmentProblem ?? 'no API key is configured (OPPER_API_KEY)', finish, 'not_configured', observation);
      if (count === 0) return finish();
      const refusal = this.sender.refusal(count);
      if (refusal !== undefined) return this.drop(count, refusal, finish, 'unavailable', observation);
      const untranslatable: SpanFailure[] = [];
      const jobs = this.translateAll(spans, untranslatable);
      const deadline = Date.now() + this.config.exportTimeoutMillis;
      const delivery: Promise<void> = this.sender
        .deliver(jobs, deadline)
        .then((report) => this.account(report, untranslatable, count, observation))
        .catch((error: unknown) => this.fail(count, error))
        .then((error) => {
          this.inFlight.delete(delivery);
          finish(error);
        });
      this.inFlight.add(delivery);
    } catch (error) {
      finish(this.fail(Array.isArray(spans) ? spans.length : 0, error));
    }
  }

  /** Resolves once every export started before the call has finished. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Flushes, then refuses every later export without sending anything. Idempotent. */
  shutdown(): Promise<void> {
    this.recording?.check();
    this.shutdownPromise ??= this.forceFlush()
      .finally(() => this.client?.close())
      .then(() => this.warnings.printed());
    return this.shutdownPromise;
  }

  /** A snapshot of the delivery counters. */
  getStats(): OpperExporterStats {
    const counters = this.sender?.counters;
    return { ...this.stats, requests: counters?.requests ?? 0, requestsRetried: counters?.retries ?? 0 };
  }

  /** Translates each span on its own, so that one malformed span cannot sink the batch. */
  private translateAll(spans: ReadableSpanLike[], failures: SpanFailure[]): SpanJob[] {
    const jobs: SpanJob[] = [];
    for (const span of spans) {
      try {
        jobs.push(translateSpan(span, this.translation));
      } catch (error) {
        const detail = `not a readable span: ${error instanceof Error ? error.message : String(error)}`;
        failures.push({ id: '?', reason: 'rejected', detail, unsent: true, created: false });
      }
    }
    return jobs;
  }

  private drop(count: number, why: string, finish: (error: Error) => void, errorType: string, observation?: ExportObservation): void {
    this.stats.spansDropped += count;
    observation?.failed(errorType, count);
    finish(new Error(`OpperSpanExporter: ${count} span(s) not exported: ${why}`));
  }

  private fail(count: number, error: unknown): Error {
    this.stats.spansFailed += count;
    const message = error instanceof Error ? error.message : String(error);
    return new Error(this.warnings.redact(`OpperSpanExporter: export of ${count} span(s) failed: ${message}`));
  }

  /** Counts the outcome; returns the error to report, or undefined when every span arrived. */
  private account(report: DeliveryReport, untranslatable: SpanFailure[], count: number, observation?: ExportObservation): Error | undefined {
    this.stats.spansExported += report.delivered;
    observation?.delivered(report.delivered);
    observation?.failed('invalid_span', untranslatable.length);
    for (const failure of report.failures) observation?.failed(ERROR_TYPES[failure.reason], 1);
    const failures = [...untranslatable, ...report.failures];
    if (failures.length === 0) return undefined;
    const byReason = new Map<FailureReason, { count: number; details: Set<string> }>();
    let dropped = 0;
    for (const failure of failures) {
      if (failure.unsent) dropped++;
      const group = byReason.get(failure.reason) ?? { count: 0, details: new Set<string>() };
      group.count++;
      group.details.add(failure.detail);
      byReason.set(failure.reason, group);
    }
    const summary = [...byReason]
      .map(([reason, { count, details }]) => `${count} ${REASON_TEXT[reason]} (${[...details].slice(0, 3).join('; ')})`)
      .join('; ');
    this.stats.spansDropped += dropped;
    this.stats.spansFailed += failures.length - dropped;
    // The same split as getStats(): failed (tried, not stored) and dropped (never sent).
    const split = `${failures.length - dropped} failed, ${dropped} dropped`;
    const message = `OpperSpanExporter: ${failures.length} of ${count} span(s) not exported (${split}): ${summary}`;
    return new Error(this.warnings.redact(message));
  }
}

const REASON_TEXT = {
  rejected: 'refused by Opper',
  deadline: 'not accepted before the export deadline',
  auth: 'not sent: the API key was rejected',
  tls: "not sent: Opper's TLS certificate is not trusted",
} as const;

