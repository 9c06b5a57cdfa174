import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resolveConfig, type ConnectionConfig, type OpperExporterOptions } from './config.js';
import { RecordingCheck } from './coexistence.js';
import { Warnings, WarningCode } from './diagnostics.js';
import { exporterCount, OUTCOMES, type ExporterReason, type FailureReason } from './outcomes.js';
import { ExporterMetrics, type ExportObservation } from './self-metrics.js';
import { requestStats, translateOptions, type StartEngine } from './engine-setup.js';
import { fallingBehindMessage } from './transport/backlog.js';
import { UpstreamBacklog } from './upstream-backlog.js';
import { deliverSpans } from './engine-spans.js';
import type { Delivery } from './transport/delivery.js';
import { PendingPatches } from './transport/pending-patches.js';
import type { DeliveryReport, SpanFailure, SpanJob } from './transport/span-sender.js';
import { INVALID_SPAN_CONTEXT, isInvalidSpan, type TranslateOptions } from './translate/index.js';
import type { ReadableSpanLike } from './translate/types.js';

/** Counters for health checks; they only grow. */
export interface OpperExporterStats {
  /** Spans whose create and PATCH Opper accepted. */
  spansExported: number;
  /** Spans not (completely) stored: refused by Opper, not accepted before the deadline, or whose
   * PATCH was given up (`patchesGivenUp`). */
  spansFailed: number;
  /** Spans refused without trying: no API key, a rejected key or an untrusted TLS certificate,
   * after shutdown, during an outage while an earlier export is still trying or past
   * `maxPendingSpans`, or still waiting for room under `maxPendingSpans` at the export deadline. */
  spansDropped: number;
  /** Spans whose create landed and whose PATCH is kept to be retried (a gauge). */
  patchesPending: number;
  /** Of those, PATCHes that landed later (also counted in `spansExported`). */
  patchesCompleted: number;
  /** Of those, PATCHes given up for good (also counted in `spansFailed`). */
  patchesGivenUp: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests that were retries of an earlier one. */
  requestsRetried: number;
  /** Requests Opper pushed back on (429, 503) or did not answer in time: each lowers `concurrency`. */
  requestsPushedBack: number;
  /** Requests allowed in flight now: adapts between 4 and `maxConcurrency` unless `concurrency` is set. */
  concurrency: number;
  /** Windows of 5 s in which spans arrived faster than Opper accepted them (see the warning
   * OPPER_EXPORTER_FALLING_BEHIND). */
  fallingBehind: number;
}

/** What differs between the Node build (exporter-node.ts) and the fetch build (edge.ts). */
export interface ExporterPlatform {
  readonly startEngine: StartEngine;
  /** Whether work may outlive an export: PATCHes kept for a later retry, the recording check's
   * timer. Not on Workers and Vercel Edge, which freeze or forbid timers between requests. */
  readonly background: boolean;
}

/** OpenTelemetry `SpanExporter` that sends each ended span to Opper as a create and a PATCH: the
 * body of every build's `OpperSpanExporter`. */
export class SpanExporterDoor {
  private readonly config: ConnectionConfig;
  private readonly warnings: Warnings;
  private readonly translation: TranslateOptions;
  private readonly sender: Delivery | undefined;
  private readonly patches: PendingPatches | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly recording: RecordingCheck | undefined;
  private readonly metrics: ExporterMetrics | undefined;
  private readonly stats = { spansExported: 0, spansFailed: 0, spansDropped: 0 };
  private readonly upstream = new UpstreamBacklog();
  private shutdownPromise?: Promise<void>;

  constructor(platform: ExporterPlatform, options: OpperExporterOptions = {}) {
    this.config = resolveConfig(options);
    this.warnings = new Warnings(this.config.apiKey);
    this.translation = translateOptions(this.config, this.warnings, 'OpperSpanExporter');
    this.sender = platform.startEngine(this.config, this.warnings, 'OpperSpanExporter')?.sender;
    if (this.config.disabled) return;
    if (platform.background) this.recording = new RecordingCheck(this.warnings, 'OpperSpanExporter');
    if (this.config.meterProvider) this.metrics = new ExporterMetrics(this.config.meterProvider, this.config.baseUrl);
    if (this.sender === undefined || !platform.background) return;
    this.patches = new PendingPatches(this.sender, {
      attemptMillis: this.config.exportTimeoutMillis,
      maxInFlight: this.config.concurrency.max * 4,
      onGivenUp: (count, why) =>
        this.warnings.once(
          WarningCode.PatchesGivenUp,
          `OpperSpanExporter: the end (PATCH) of ${count} span(s) given up: ${why}; Opper shows them without an end time. Later ones are counted in getStats().patchesGivenUp.`,
        ),
    });
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
      if (this.shutdownPromise) return finish(this.drop(count, undefined, observation, 'shutdown'));
      if (!this.sender) return finish(this.drop(count, this.config.environmentProblem, observation, 'not-configured'));
      if (count === 0) return finish();
      const behind = this.upstream.started(spans, Date.now());
      if (behind !== undefined)
        this.warnings.once(WarningCode.FallingBehind, `OpperSpanExporter: ${fallingBehindMessage(behind, this.config.concurrency.max)}`);
      const delivery: Promise<void> = this.deliver(this.sender, spans, count, observation)
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

  /**
   * Resolves once every export started before the call has finished and the pending PATCHes have
   * landed or been given up, or once `exportTimeoutMillis` has passed (they stay pending).
   */
  async forceFlush(): Promise<void> {
    const deadline = Date.now() + this.config.exportTimeoutMillis;
    await Promise.all([...this.inFlight]);
    await this.patches?.flush(deadline);
  }

  /** Flushes, gives up the PATCHes still pending, then refuses every later export. Idempotent. */
  shutdown(): Promise<void> {
    this.recording?.check();
    const deadline = Date.now() + this.config.exportTimeoutMillis;
    this.shutdownPromise ??= Promise.all([...this.inFlight])
      .then(() => this.patches?.close(deadline))
      .finally(() => this.sender?.close())
      .then(() => this.warnings.printed());
    return this.shutdownPromise;
  }

  /** A snapshot of the delivery counters. */
  getStats(): OpperExporterStats {
    const counters = this.sender?.counters;
    const patches = this.patches?.counts ?? { pending: 0, completed: 0, givenUp: 0 };
    const stats = requestStats(counters);
    return {
      // A span counts as exported once its PATCH landed, however late.
      spansExported: this.stats.spansExported + patches.completed,
      spansFailed: this.stats.spansFailed + patches.givenUp,
      spansDropped: this.stats.spansDropped,
      patchesPending: patches.pending,
      patchesCompleted: patches.completed,
      patchesGivenUp: patches.givenUp,
      ...stats,
      fallingBehind: stats.fallingBehind + this.upstream.windowsBehind,
    };
  }

  /** Hands the spans to the engine with the export's deadline, and counts what came back. */
  private async deliver(
    sender: Delivery,
    spans: ReadableSpanLike[],
    count: number,
    observation?: ExportObservation,
  ): Promise<Error | undefined> {
    const deadline = Date.now() + this.config.exportTimeoutMillis;
    const outcome = await deliverSpans(sender, spans, { translation: this.translation, deadline });
    if ('refusal' in outcome) {
      this.upstream.finished(0, Date.now());
      return this.drop(count, outcome.refusal, observation, 'unavailable');
    }
    const { report, jobs, untranslatable } = outcome;
    if (untranslatable.some(isInvalidSpan))
      this.warnings.once(
        WarningCode.InvalidSpanContext,
        `OpperSpanExporter: a span was not exported: ${INVALID_SPAN_CONTEXT}. Such spans are counted in getStats().spansDropped.`,
      );
    return this.account(report, jobs, untranslatable, count, observation);
  }

  /** Refuses an export's spans before they reach the engine; `detail`: why, in other words than the table's. */
  private drop(
    count: number,
    detail: string | undefined,
    observation: ExportObservation | undefined,
    reason: 'shutdown' | 'not-configured' | 'unavailable',
  ): Error {
    this.tally(reason, count);
    observation?.failed(reason, count);
    return new Error(`OpperSpanExporter: ${count} span(s) not exported: ${OUTCOMES[reason].exporter.says({ detail })}`);
  }

  private fail(count: number, error: unknown): Error {
    this.tally('threw', count);
    const detail = error instanceof Error ? error.message : String(error);
    return new Error(
      this.warnings.redact(`OpperSpanExporter: export of ${count} span(s) failed: ${OUTCOMES.threw.exporter.says({ detail })}`),
    );
  }

  /** Counts `count` spans given up for `reason` as failed or dropped (outcomes.ts); returns which. */
  private tally(reason: ExporterReason, count: number, unsent = false): 'failed' | 'dropped' {
    const counted = exporterCount(reason, unsent);
    if (counted === 'dropped') this.stats.spansDropped += count;
    else this.stats.spansFailed += count;
    return counted;
  }

  /**
   * Counts the outcome; returns the error to report, or undefined when every span arrived or only
   * its PATCH is missing and is kept to be retried (counted once it lands or is given up).
   */
  private account(
    report: DeliveryReport,
    jobs: SpanJob[],
    untranslatable: SpanFailure[],
    count: number,
    observation?: ExportObservation,
  ): Error | undefined {
    this.stats.spansExported += report.delivered;
    const { kept, givenUp, left } = this.patches?.keep(report.failures, jobs) ?? { kept: 0, givenUp: 0, left: report.failures };
    this.upstream.finished(report.delivered + kept, Date.now());
    // As export() reports them: a span whose PATCH is kept for a retry counts as exported.
    observation?.delivered(report.delivered + kept);
    observation?.failed('invalid-span', untranslatable.length);
    observation?.failed('queue-full', givenUp);
    for (const failure of left) observation?.failed(failure.reason, 1);
    const failures = [...untranslatable, ...left];
    if (failures.length === 0 && givenUp === 0) {
      // Counts only: a debug line must never echo span data.
      const later = kept > 0 ? `, ${kept} of them with their end (PATCH) kept for a retry` : '';
      diag.debug(`OpperSpanExporter: exported ${count} span(s)${later}; ${this.getStats().requests} request(s) so far`);
      return undefined;
    }
    const byReason = new Map<FailureReason, { count: number; details: Set<string> }>();
    // As getStats() counts them; those whose PATCH was not kept, the pending PATCHes count already.
    const split = { failed: 0, dropped: 0 };
    split[exporterCount('queue-full')] += givenUp;
    for (const failure of failures) {
      split[this.tally(failure.reason, 1, failure.unsent)]++;
      const group = byReason.get(failure.reason) ?? { count: 0, details: new Set<string>() };
      group.count++;
      group.details.add(failure.detail);
      byReason.set(failure.reason, group);
    }
    const parts = [...byReason].map(
      ([reason, { count, details }]) => `${count} ${OUTCOMES[reason].exporter.says({})} (${[...details].slice(0, 3).join('; ')})`,
    );
    if (givenUp > 0) parts.push(`${givenUp} ${OUTCOMES['queue-full'].exporter.says({})}`);
    if (kept > 0) parts.push(`${kept} more whose PATCH is kept for a retry`);
    const message = `OpperSpanExporter: ${failures.length + givenUp} of ${count} span(s) not exported (${split.failed} failed, ${split.dropped} dropped): ${parts.join('; ')}`;
    return new Error(this.warnings.redact(message));
  }
}
