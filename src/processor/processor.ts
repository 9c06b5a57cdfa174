import { diag } from '@opentelemetry/api';
import { RecordingCheck } from '../coexistence.js';
import { Warnings, WarningCode } from '../diagnostics.js';
import { ProcessorMetrics } from '../self-metrics.js';
import { requestStats, startEngine, translateOptions, type Engine } from '../engine.js';
import type { OpperExporterStats } from '../exporter.js';
import { OUTCOMES, type LossFacts, type LossReason } from '../outcomes.js';
import { SpanQueue, type QueueEntry } from '../transport/span-queue.js';
import { INVALID_SPAN_CONTEXT, invalidSpan, parentSpanIdOf, translateSpan, type TranslateOptions } from '../translate/index.js';
import type { ReadableSpanLike } from '../translate/types.js';
import { resolveProcessorConfig, type OpperProcessorOptions, type ProcessorConfig } from './config.js';
import { toPredicate } from './filter.js';
import { RequestFlush } from './request-flush.js';
import { EndedSpans } from './ancestry.js';
import { SlicedQueue, slice, nextTurn } from '../slices.js';

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
  /** Spans the span filter left out (not exported, on purpose). */
  spansFiltered: number;
}

/** A span seen starting and not yet ended. */
interface OpenSpan {
  readonly exported: boolean;
  /** Hex id of its nearest exported ancestor (or remote parent); null: none. */
  readonly link: string | null;
  readonly span: ReadableSpanLike;
  entry?: QueueEntry | undefined;
}

/** Work translated off `onStart`/`onEnd`, in slices: a live span's create, or an ended span. */
type Translation = { start: OpenSpan } | { end: ReadableSpanLike; link: string | null; record: OpenSpan | undefined };

/** Waits for `work`, or until `deadline` (spans that keep ending keep the translations going). */
async function by(deadline: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
}

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
  private readonly ended: EndedSpans;
  /** Translations waiting for their slice; `ending` of them are ended spans. */
  private readonly translations = new SlicedQueue<Translation>((item) => this.translate(item));
  private ending = 0;
  private readonly stats = { spansExported: 0, spansFailed: 0, spansDropped: 0, spansFiltered: 0 };
  private readonly lost: Partial<Record<LossReason, number>> = {};
  private shutdownPromise: Promise<void> | undefined;
  private readonly recording: RecordingCheck | undefined;
  private readonly metrics: ProcessorMetrics | undefined;
  private readonly requests: RequestFlush | undefined;
  private closed = false;

  constructor(options: OpperProcessorOptions = {}) {
    this.config = resolveProcessorConfig(options);
    const { connection } = this.config;
    this.warnings = new Warnings(connection.apiKey);
    this.translation = translateOptions(connection, this.warnings, 'OpperSpanProcessor');
    this.accept = toPredicate(this.config.spanFilter, (error) =>
      this.warnings.once(WarningCode.FilterThrew, `OpperSpanProcessor: spanFilter threw (${String(error)}); the span is exported.`),
    );
    this.engine = startEngine(connection, this.warnings, 'OpperSpanProcessor');
    this.ended = new EndedSpans(this.config.maxLiveSpans, this.config.maxSpanAgeMillis);
    // OTEL_SDK_DISABLED: closed from the start, so that every span is ignored, quietly.
    if (connection.disabled) {
      this.closed = true;
      return;
    }
    this.recording = new RecordingCheck(this.warnings, 'OpperSpanProcessor');
    const { meterProvider, baseUrl } = connection;
    if (meterProvider)
      this.metrics = new ProcessorMetrics(
        meterProvider,
        baseUrl,
        this.config.maxQueueSize,
        () => (this.queue?.size.spans ?? 0) + this.ending,
      );
    if (this.engine === undefined) return;
    this.requests = new RequestFlush(() => this.forceFlush());
    this.queue = new SpanQueue(this.engine.sender, {
      maxQueueSize: this.config.maxQueueSize,
      maxQueueBytes: this.config.maxQueueBytes,
      maxSpanAgeMillis: this.config.maxSpanAgeMillis,
      attemptMillis: connection.exportTimeoutMillis,
      delayMillis: this.config.exportMode === 'immediate' ? 0 : BATCH_DELAY_MS,
      maxInFlight: connection.concurrency.max * 4,
      onDelivered: (count) => {
        this.stats.spansExported += count;
        diag.debug(`OpperSpanProcessor: ${count} span(s) delivered (${this.stats.spansExported} so far)`);
        this.metrics?.delivered(count);
      },
      onLoss: (reason, count, facts) => this.loss(reason, count, facts),
    });
  }

  /** O(1) bookkeeping: the filter's verdict, the nearest exported ancestor, a live create for later. */
  onStart(span: ReadableSpanLike, _parentContext?: unknown): void {
    if (this.closed) return;
    this.recording?.seen();
    try {
      if (this.open.size >= this.config.maxLiveSpans) return; // not tracked: decided at its end
      if (invalidSpan(span) !== undefined) return; // never exported, so never anyone's exported ancestor
      const record: OpenSpan = { exported: this.accept(span), link: this.linkOf(span), span };
      this.open.set(span.spanContext().spanId, record);
      // A local root: its parent (if any) did not start here.
      this.requests?.started(span.spanContext().spanId, !this.open.has(parentSpanIdOf(span) ?? ''));
      // Translated and queued after onStart returns, never inside it.
      if (record.exported && this.config.live && this.queue) this.translations.push({ start: record });
    } catch (error) {
      diag.error('OpperSpanProcessor: onStart failed', error);
    }
  }

  /** O(1) bookkeeping, whatever the span's size: it is translated later, in a slice of its own. */
  onEnd(span: ReadableSpanLike): void {
    if (this.config.connection.disabled) return;
    try {
      const spanHex = span.spanContext().spanId;
      const record = this.open.get(spanHex);
      this.open.delete(spanHex);
      this.requests?.ended(spanHex);
      // A span past maxLiveSpans still skips its filtered-out parent when that parent is tracked.
      const link = record ? record.link : this.linkOf(span);
      // A span refused at its start may show its AI attributes only now.
      const exported = record?.exported || this.accept(span);
      // Its descendants yet to start (fire-and-forget) name it, or what it would have named.
      this.ended.remember(spanHex, exported ? spanHex : link, Date.now());
      if (!exported) return void this.stats.spansFiltered++;
      if (invalidSpan(span) !== undefined) return this.invalid();
      if (this.closed || !this.queue) {
        this.loss(this.closed ? 'shutdown' : 'auth', 1); // `auth`: no API key (outcomes.ts)
        return;
      }
      // The queue's count bound holds for spans waiting to be translated too.
      if (record?.entry === undefined && this.queue.size.spans + this.ending >= this.config.maxQueueSize) {
        this.loss('queue-full', 1, { byCount: true });
        return;
      }
      this.ending++;
      this.translations.push({ end: span, link, record });
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
      const deadline = Date.now() + this.config.connection.exportTimeoutMillis;
      await by(
        deadline,
        this.translations.done().then(() => this.queue?.flush(deadline)),
      );
    } catch (error) {
      diag.error('OpperSpanProcessor: forceFlush failed', error);
    }
  }

  /**
   * Delivers what is queued within `shutdownTimeoutMillis`, sends spans still running as they are
   * now, marked `opper.unfinished: "shutdown"` and without an end time, then refuses further work.
   * Resolves within `shutdownTimeoutMillis` (plus the translation of one slice) with every span
   * delivered or counted in `spansLost`; requests still running then are cancelled, and nothing
   * is sent, nor kept alive, afterwards. Never rejects; idempotent.
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
      ...requestStats(counters),
      queuedSpans: size.spans + this.ending,
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
    await by(
      deadline,
      this.translations.done().then(() => queue.flush(deadline)),
    );
    // Spans still running get their state so far, never an invented end time.
    const running = [...this.open.values()].filter((record) => record.exported);
    this.open.clear();
    let done = 0;
    // Past the deadline the rest is counted below, untranslated.
    for (let current = slice(); done < running.length && Date.now() < deadline; done++) {
      if (current.spent()) {
        await nextTurn();
        current = slice();
      }
      this.unfinished(queue, running[done]!);
    }
    await queue.flush(deadline);
    this.closed = true;
    // What is still untranslated or queued now is lost, counted before this resolves.
    const untranslated = this.translations.drop().filter((item) => 'end' in item).length + running.length - done;
    if (untranslated > 0) this.loss('shutdown', untranslated, { held: 'untranslated' });
    this.ending = 0;
    queue.close();
    this.engine?.sender.close();
  }

  /** Queues the state so far of a span still running at shutdown. */
  private unfinished(queue: SpanQueue, record: OpenSpan): void {
    const translated = translateSpan(record.span, {
      ...this.translation,
      parentSpanId: record.link,
      unfinished: 'shutdown',
      completeUpdate: true,
    });
    if (record.entry === undefined) queue.add({ id: translated.id, parentId: translated.parentId, create: translated.create });
    else queue.finish(record.entry, { create: translated.create, update: record.entry.createSent ? translated.update : undefined });
  }

  /**
   * Hex id of the span's nearest exported ancestor. A parent seen here (running, or ended lately)
   * answers; a remote one is kept as it is; a local parent unknown here (started before this
   * processor, past maxLiveSpans, or forgotten) may never be exported: none, rather than a
   * parent_id that names no stored span.
   */
  private linkOf(span: ReadableSpanLike): string | null {
    const parentHex = parentSpanIdOf(span);
    if (parentHex === undefined) return null;
    const parent = this.open.get(parentHex);
    if (parent !== undefined) return parent.exported ? parentHex : parent.link;
    const ended = this.ended.linkOf(parentHex, Date.now());
    if (ended !== undefined) return ended;
    // SDK 1.x names only the parent's id: whether it is remote is unknown there.
    const context = span.parentSpanContext;
    return context === undefined || context.isRemote === true ? parentHex : null;
  }

  /** Translates and queues a live span's create (if it still runs), or an ended span. */
  private translate(item: Translation): void {
    const queue = this.queue!;
    try {
      if ('start' in item) {
        const record = item.start;
        if (this.open.get(record.span.spanContext().spanId) !== record) return; // ended already: sent whole
        const translated = translateSpan(record.span, { ...this.translation, parentSpanId: record.link, unfinished: 'running' });
        const job = {
          id: translated.id,
          create: translated.create,
          ...(translated.parentId === undefined ? {} : { parentId: translated.parentId }),
        };
        record.entry = queue.add(job);
        return;
      }
      this.ending--;
      const options = { ...this.translation, parentSpanId: item.link };
      const entry = item.record?.entry;
      if (entry === undefined) return void queue.add(translateSpan(item.end, options));
      queue.finish(entry, translateSpan(item.end, { ...options, completeUpdate: entry.createSent }));
    } catch (error) {
      diag.error('OpperSpanProcessor: translating a span failed', error);
    }
  }

  /** A span the shared rule leaves out (`invalidSpan`): never sent, so dropped. */
  private invalid(): void {
    this.stats.spansDropped++;
    this.warnings.once(
      WarningCode.InvalidSpanContext,
      `OpperSpanProcessor: a span was not exported: ${INVALID_SPAN_CONTEXT}. Such spans are counted in getStats().spansDropped.`,
    );
  }

  /** Counts, measures and warns of spans given up, as outcomes.ts says the processor does. */
  private loss(reason: LossReason, count: number, facts: LossFacts = {}): void {
    const { counts, warning, says } = OUTCOMES[reason].processor;
    this.lost[reason] = (this.lost[reason] ?? 0) + count;
    this.metrics?.lost(reason, count);
    if (counts === 'dropped') this.stats.spansDropped += count;
    else this.stats.spansFailed += count;
    if (warning !== undefined)
      this.warnings.once(
        WarningCode[warning],
        `OpperSpanProcessor: ${count} span(s) given up: ${says(facts, this.config)}. Later losses of this kind are counted in getStats().spansLost.`,
      );
  }
}
