import { diag } from '@opentelemetry/api';
import { RecordingCheck } from '../coexistence.js';
import { Warnings, WarningCode } from '../diagnostics.js';
import { ProcessorMetrics } from '../self-metrics.js';
import { startEngine, translateOptions, type Engine } from '../engine.js';
import type { OpperExporterStats } from '../exporter.js';
import { SpanQueue, type LossReason, type QueueEntry } from '../transport/span-queue.js';
import { hasValidIds, INVALID_SPAN_CONTEXT, parentSpanIdOf, translateSpan, type TranslateOptions } from '../translate/index.js';
import type { ReadableSpanLike } from '../translate/types.js';
import { resolveProcessorConfig, type OpperProcessorOptions, type ProcessorConfig } from './config.js';
import { toPredicate } from './filter.js';
import { RequestFlush } from './request-flush.js';

/** The exporter's counters (its pending PATCHes are queued here), plus the queue, the live spans
 * and the losses by reason. */
export interface OpperProcessorStats extends Omit<OpperExporterStats, 'patchesPending' | 'patchesCompleted' | 'patchesGivenUp'> {
  /** Spans waiting for delivery or being delivered, and the characters of their bodies. */
  queuedSpans: number;
  queuedBytes: number;
  /** Running spans shown live in Opper (their create was queued or landed). */
  liveSpans: number;
  /** Spans given up, by reason: expired, queue-full, rejected, auth, shutdown. */
  spansLost: Partial<Record<LossReason, number>>;
}

/** A span seen starting and not yet ended. */
interface OpenSpan {
  readonly exported: boolean;
  /** Hex id of its nearest exported ancestor (or remote parent); null: none. */
  readonly link: string | null;
  readonly span: ReadableSpanLike;
  entry?: QueueEntry | undefined;
}

const LOSS_WARNINGS: Partial<Record<LossReason, string>> = {
  expired: WarningCode.SpansExpired,
  'queue-full': WarningCode.QueueFull,
  rejected: WarningCode.SpansRejected,
  shutdown: WarningCode.SpansLostAtShutdown,
};
const DROPPED: ReadonlySet<LossReason> = new Set(['queue-full', 'shutdown']);
const BATCH_DELAY_MS = 50;

/**
 * OpenTelemetry `SpanProcessor` that owns delivery to Opper: running spans are shown as they run,
 * only the AI spans are exported (parents kept right), and ended spans wait in a bounded queue
 * that rides out outages. Use it instead of a BatchSpanProcessor around OpperSpanExporter.
 */
export class OpperSpanProcessor {
  private readonly config: ProcessorConfig;
  private readonly warnings: Warnings;
  private readonly translation: TranslateOptions;
  private readonly engine: Engine | undefined;
  private readonly queue: SpanQueue | undefined;
  private readonly accept: (span: ReadableSpanLike) => boolean;
  private readonly open = new Map<string, OpenSpan>();
  private pendingCreates: OpenSpan[] = [];
  private createTimer: NodeJS.Immediate | undefined;
  private readonly stats = { spansExported: 0, spansFailed: 0, spansDropped: 0 };
  private readonly lost: Partial<Record<LossReason, number>> = {};
  private shutdownPromise: Promise<void> | undefined;
  private readonly recording: RecordingCheck | undefined;
  private readonly metrics: ProcessorMetrics | undefined;
  private readonly requests: RequestFlush | undefined;
  private closed = false;

  constructor(options: OpperProcessorOptions = {}) {
    this.config = resolveProcessorConfig(options);
    const { exporter } = this.config;
    this.warnings = new Warnings(exporter.apiKey);
    this.translation = translateOptions(exporter, this.warnings, 'OpperSpanProcessor');
    this.accept = toPredicate(this.config.spanFilter, (error) =>
      this.warnings.once(WarningCode.FilterThrew, `OpperSpanProcessor: spanFilter threw (${String(error)}); the span is exported.`),
    );
    this.engine = startEngine(exporter, this.warnings, 'OpperSpanProcessor');
    // OTEL_SDK_DISABLED: closed from the start, so that every span is ignored, quietly.
    if (exporter.disabled) {
      this.closed = true;
      return;
    }
    this.recording = new RecordingCheck(this.warnings, 'OpperSpanProcessor');
    const { meterProvider, baseUrl } = exporter;
    if (meterProvider) this.metrics = new ProcessorMetrics(meterProvider, baseUrl, this.config.maxQueueSize, () => this.queue?.size.spans ?? 0);
    if (this.engine === undefined) return;
    this.requests = new RequestFlush(() => this.forceFlush());
    this.queue = new SpanQueue(this.engine.sender, {
      maxQueueSize: this.config.maxQueueSize,
      maxQueueBytes: this.config.maxQueueBytes,
      maxSpanAgeMillis: this.config.maxSpanAgeMillis,
      attemptMillis: exporter.exportTimeoutMillis,
      delayMillis: this.config.exportMode === 'immediate' ? 0 : BATCH_DELAY_MS,
      maxInFlight: exporter.concurrency * 4,
      onDelivered: (count) => {
        this.stats.spansExported += count;
        diag.debug(`OpperSpanProcessor: ${count} span(s) delivered (${this.stats.spansExported} so far)`);
        this.metrics?.delivered(count);
      },
      onLoss: (reason, count, detail) => this.loss(reason, count, detail),
    });
  }

  /** O(1) bookkeeping: the filter's verdict, the nearest exported ancestor, a live create for later. */
  onStart(span: ReadableSpanLike, _parentContext?: unknown): void {
    if (this.closed) return;
    this.recording?.seen();
    try {
      if (this.open.size >= this.config.maxLiveSpans) return; // not tracked: decided at its end
      if (!hasValidIds(span)) return; // never exported, so never anyone's exported ancestor
      const record: OpenSpan = { exported: this.accept(span), link: this.linkOf(span), span };
      this.open.set(span.spanContext().spanId, record);
      // A local root: its parent (if any) did not start here.
      this.requests?.started(span.spanContext().spanId, !this.open.has(parentSpanIdOf(span) ?? ''));
      if (record.exported && this.config.live && this.queue) {
        this.pendingCreates.push(record);
        // Translated and queued after onStart returns, never inside it.
        this.createTimer ??= setImmediate(() => this.queueCreates()).unref();
      }
    } catch (error) {
      diag.error('OpperSpanProcessor: onStart failed', error);
    }
  }

  /** The span's translation and one queue operation; no I/O. */
  onEnd(span: ReadableSpanLike): void {
    if (this.config.exporter.disabled) return;
    try {
      const spanHex = span.spanContext().spanId;
      const record = this.open.get(spanHex);
      this.open.delete(spanHex);
      this.requests?.ended(spanHex);
      // A span refused at its start may show its AI attributes only now.
      if (!(record?.exported || this.accept(span))) return;
      if (!hasValidIds(span)) return this.invalid();
      if (this.closed || !this.queue) {
        this.loss(this.closed ? 'shutdown' : 'auth', 1, this.closed ? 'the processor is shut down' : 'no API key');
        return;
      }
      // A span past maxLiveSpans still skips its filtered-out parent when that parent is tracked.
      const options = { ...this.translation, parentSpanId: record ? record.link : this.linkOf(span) };
      const entry = record?.entry;
      if (entry === undefined) return void this.queue.add(translateSpan(span, options));
      const translated = translateSpan(span, { ...options, completeUpdate: entry.createSent });
      this.queue.finish(entry, translated);
    } catch (error) {
      diag.error('OpperSpanProcessor: onEnd failed', error);
    }
  }

  /**
   * Resolves once every span that ended before the call (and every live create) has been
   * delivered or given up, or after `exportTimeoutMillis`: what is left stays queued. Never rejects.
   */
  async forceFlush(): Promise<void> {
    try {
      this.queueCreates();
      await this.queue?.flush(Date.now() + this.config.exporter.exportTimeoutMillis);
    } catch (error) {
      diag.error('OpperSpanProcessor: forceFlush failed', error);
    }
  }

  /**
   * Delivers what is queued within `shutdownTimeoutMillis`, sends spans still running as they are
   * now, marked `opper.unfinished: "shutdown"` and without an end time, then refuses further work.
   * Never rejects; idempotent.
   */
  shutdown(): Promise<void> {
    this.recording?.check();
    this.shutdownPromise ??= this.close().catch((error: unknown) => diag.error('OpperSpanProcessor: shutdown failed', error));
    return this.shutdownPromise;
  }

  /** A snapshot of the counters. */
  getStats(): OpperProcessorStats {
    const counters = this.engine?.sender.counters;
    const size = this.queue?.size ?? { spans: 0, bytes: 0 };
    let liveSpans = 0;
    for (const record of this.open.values()) if (record.entry !== undefined && record.entry.state !== 'settled') liveSpans++;
    return {
      ...this.stats,
      requests: counters?.requests ?? 0,
      requestsRetried: counters?.retries ?? 0,
      queuedSpans: size.spans,
      queuedBytes: size.bytes,
      liveSpans,
      spansLost: { ...this.lost },
    };
  }

  private async close(): Promise<void> {
    const queue = this.queue;
    if (queue === undefined) return void (this.closed = true);
    const deadline = Date.now() + this.config.shutdownTimeoutMillis;
    queue.capDeadline(deadline);
    this.queueCreates();
    await queue.flush(deadline);
    // Spans still running get their state so far, never an invented end time.
    for (const record of this.open.values()) {
      if (!record.exported) continue;
      const translated = translateSpan(record.span, { ...this.translation, parentSpanId: record.link, unfinished: 'shutdown', completeUpdate: true });
      if (record.entry === undefined) queue.add({ id: translated.id, parentId: translated.parentId, create: translated.create });
      else queue.finish(record.entry, { create: translated.create, update: record.entry.createSent ? translated.update : undefined });
    }
    this.open.clear();
    await queue.flush(deadline);
    this.closed = true;
    queue.close();
    this.engine?.sender.close();
  }

  /** Hex id of the span's nearest exported ancestor; a parent not seen starting here (remote, or untracked) is kept as it is. */
  private linkOf(span: ReadableSpanLike): string | null {
    const parentHex = parentSpanIdOf(span);
    const parent = parentHex === undefined ? undefined : this.open.get(parentHex);
    return parent === undefined ? (parentHex ?? null) : parent.exported ? parentHex! : parent.link;
  }

  /** Translates and queues the creates of live spans that are still running. */
  private queueCreates(): void {
    this.createTimer = undefined;
    const records = this.pendingCreates;
    this.pendingCreates = [];
    for (const record of records) {
      const spanHex = record.span.spanContext().spanId;
      if (this.open.get(spanHex) !== record || !this.queue) continue; // ended already: sent whole
      const translated = translateSpan(record.span, { ...this.translation, parentSpanId: record.link, unfinished: 'running' });
      const job = { id: translated.id, create: translated.create, ...(translated.parentId === undefined ? {} : { parentId: translated.parentId }) };
      record.entry = this.queue.add(job);
    }
  }

  private invalid(): void {
    this.stats.spansDropped++;
    this.warnings.once(WarningCode.InvalidSpanContext, `OpperSpanProcessor: a span was not exported: ${INVALID_SPAN_CONTEXT}. Such spans are counted in getStats().spansDropped.`);
  }

  private loss(reason: LossReason, count: number, detail: string): void {
    this.lost[reason] = (this.lost[reason] ?? 0) + count;
    this.metrics?.lost(reason, count);
    if (DROPPED.has(reason)) this.stats.spansDropped += count;
    else this.stats.spansFailed += count;
    const code = LOSS_WARNINGS[reason];
    if (code !== undefined) this.warnings.once(code, `OpperSpanProcessor: ${count} span(s) given up: ${detail}. Later losses of this kind are counted in getStats().spansLost.`);
  }
}
