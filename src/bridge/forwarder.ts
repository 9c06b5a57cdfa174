/**
 * The bridge's one piece of logic, shared by its HTTP and gRPC doors: an OTLP request in, its
 * spans delivered through the same translation and sender as the exporter's, and one answer out
 * that tells the OTLP client whether to forget the data or send it again.
 */
import { OUTCOMES } from '../outcomes.js';
import { slice, timeSliced } from '../slices.js';
import { beforeTime } from '../transport/deadline.js';
import type { InlineDelivery } from '../transport/delivery.js';
import type { DeliveryReport, SpanJob } from '../transport/span-sender.js';
import { INVALID_SPAN_CONTEXT, isInvalidSpan, translateBatch, type TranslateOptions } from '../translate/index.js';
import { Budget, type BytesTicket } from './budget.js';
import { readSpans } from './otlp-spans.js';
import type { RequestParts } from './request-parts.js';

/** What an OTLP request gets back. */
export type Answer =
  /** Done: every span is stored, or refused for good (`rejected`, said in partial_success). */
  | { kind: 'ok'; rejected: number; message: string }
  /** The bridge is at its bound: try again later (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
  | { kind: 'busy'; retryAfterSeconds: number; message: string }
  /** Opper did not take every span in time (down, slow, or the key was rejected): send again (HTTP 503, gRPC UNAVAILABLE). */
  | { kind: 'unavailable'; retryAfterSeconds: number; message: string };

/** An answer that is not success. */
export type Refused = Exclude<Answer, { kind: 'ok' }>;

export interface ForwarderStats {
  /** Spans received in requests the bridge took on. */
  spansReceived: number;
  /** Spans whose create and PATCH Opper accepted. */
  spansDelivered: number;
  /** Spans refused for good (unreadable, or refused by Opper), reported in partial_success. */
  spansRejected: number;
  /** Spans in requests answered "send again" (they are the client's to resend). */
  spansRetryable: number;
  /** Requests refused at once because the bridge was at its bound. */
  requestsBusy: number;
  /** The most spans and bytes in flight at once. */
  peakPendingSpans: number;
  peakPendingBytes: number;
}

export interface ForwarderOptions {
  /** The exporter's translation options (size cap, redaction, mask): the same bodies as in-process. */
  translate: TranslateOptions;
  /** How long a request may take before it is answered "send again". */
  responseDeadlineMillis: number;
  maxPendingSpans: number;
  maxPendingBytes: number;
}

/** Retry-After when the bridge itself is full: work in flight clears within about a second. */
export const BUSY_RETRY_SECONDS = 1;
/** Retry-After when Opper did not take every span: short, because what landed answers 409 on the
 * retry (no duplicate) and a client's own timeout (10 s in OpenTelemetry JS) must leave room for it. */
const UNAVAILABLE_RETRY_SECONDS = 2;
/** Failure details quoted in an answer: enough to diagnose, short enough for a log line. */
const MAX_DETAILS = 3;
/** Decoding and translation give the event loop back every time slice (slices.ts), so that /healthz
 * and other requests are answered meanwhile; they decode this many spans at a time. */
const SLICE_SPANS = 64;
/** What a byte of request body takes in memory, all told: itself, its decoded spans, their Opper bodies. */
const BODY_MEMORY_FACTOR = 3;

export class Forwarder {
  readonly budget: Budget;
  private readonly working = new Set<Promise<void>>();
  private readonly counts = { spansReceived: 0, spansDelivered: 0, spansRejected: 0, spansRetryable: 0, requestsBusy: 0 };
  /** What the last delivery said about Opper, for /readyz. */
  lastOpperProblem: string | undefined;
  lastOpperAt = 0;

  constructor(
    private readonly sender: Pick<InlineDelivery, 'refusal' | 'deliver'>,
    private readonly options: ForwarderOptions,
    private readonly redact: (text: string) => string,
  ) {
    this.budget = new Budget(options.maxPendingSpans, options.maxPendingBytes, BODY_MEMORY_FACTOR);
  }

  /** Room for a request's bytes, `bytes` now (its declared size; 0 when unknown), taken before its
   * body is read; or the `busy` answer when nothing more fits. */
  admit(bytes: number): BytesTicket | Refused {
    return (this.budget.full() ? undefined : this.budget.admit(bytes)) ?? this.busy();
  }

  /**
   * Delivers the spans of one request: a part of at most `maxPendingSpans` at a time (a larger
   * request is taken in turns), translated in slices that leave the event loop free. `ticket` holds
   * the request's bytes until all its work is over, which may be after the answer. `deadline` may
   * come earlier than the bridge's own (a gRPC client's deadline).
   */
  async forward(request: RequestParts, ticket: BytesTicket, deadline = Infinity): Promise<Answer> {
    const partSize = Math.min(request.count, this.options.maxPendingSpans);
    const works: Array<Promise<unknown>> = [];
    let taken = 0;
    try {
      if (request.count === 0) return { kind: 'ok', rejected: 0, message: '' };
      if (!this.budget.takeSpans(partSize)) return this.busy();
      taken = partSize;
      this.counts.spansReceived += request.count;
      const refusal = this.sender.refusal(partSize);
      if (refusal !== undefined) return this.unavailable(request.count, refusal);
      return await this.deliverParts(request, partSize, works, Math.min(deadline, Date.now() + this.options.responseDeadlineMillis));
    } finally {
      const settled = Promise.allSettled(works).then(() => {
        this.budget.releaseSpans(taken);
        ticket.release();
        this.working.delete(settled);
      });
      this.working.add(settled);
    }
  }

  /** Resolves once the work of every request taken so far is over (some goes on past its answer). */
  async settled(): Promise<void> {
    await Promise.all([...this.working]);
  }

  stats(): ForwarderStats {
    return { ...this.counts, peakPendingSpans: this.budget.peakSpans, peakPendingBytes: this.budget.peakBytes };
  }

  private async deliverParts(request: RequestParts, partSize: number, works: Array<Promise<unknown>>, answerAt: number): Promise<Answer> {
    const { count } = request;
    const report: DeliveryReport = { delivered: 0, failures: [] };
    const unreadable: string[] = [];
    // The work goes on past the answer, for as long again (still within the budget), so that the
    // client's retry finds it done: the sender remembers what landed and only sends what is missing.
    const workUntil = answerAt + this.options.responseDeadlineMillis;
    const sliceSize = Math.min(SLICE_SPANS, partSize);
    let jobs: SpanJob[] = [];
    let inPart = 0;
    const current = slice();
    const slices = request.parts(sliceSize)[Symbol.iterator]();
    for (let decoded = slices.next(); !decoded.done; ) {
      const { spans, unreadable: unread } = readSpans(decoded.value);
      unreadable.push(...unread.map((span) => `unreadable span: ${span.detail}`));
      for await (const run of timeSliced(spans, current)) {
        for (const failure of translateBatch(run, this.options.translate, jobs))
          unreadable.push(isInvalidSpan(failure) ? `unreadable span: ${INVALID_SPAN_CONTEXT}` : failure.detail);
      }
      inPart += sliceSize;
      if (current.spent()) await current.next();
      decoded = slices.next();
      if (!decoded.done && inPart + sliceSize <= partSize) continue;
      // A part is full (or the request is done): deliver it before decoding more.
      const work = this.sender.deliver(jobs, workUntil).then((done) => this.observe(done));
      works.push(work);
      jobs = [];
      inPart = 0;
      const done = await beforeTime(work, answerAt);
      if (done === undefined) {
        const turns =
          count > partSize
            ? `; the request holds ${count} spans, more than maxPendingSpans (${partSize}), so it is taken ${partSize} at a time: send smaller batches`
            : '';
        return this.unavailable(
          count,
          `${count} span(s) not yet all accepted by Opper by the response deadline; their delivery goes on and a retry only sends what is missing${turns}`,
        );
      }
      report.delivered += done.delivered;
      report.failures.push(...done.failures);
      await current.next();
    }
    unreadable.push(...request.undecodable);
    return this.answer(count, report, unreadable);
  }

  private answer(count: number, report: DeliveryReport, unreadable: string[]): Answer {
    const permanent = [...unreadable];
    const transient: string[] = [];
    for (const failure of report.failures) (OUTCOMES[failure.reason].final ? permanent : transient).push(failure.detail);
    if (transient.length > 0) {
      return this.unavailable(count, `${transient.length} of ${count} span(s) not yet accepted by Opper (${summary(transient)})`);
    }
    this.counts.spansRejected += permanent.length;
    const message = permanent.length === 0 ? '' : this.redact(`${permanent.length} span(s) refused for good: ${summary(permanent)}`);
    return { kind: 'ok', rejected: permanent.length, message };
  }

  private observe(report: DeliveryReport): DeliveryReport {
    this.counts.spansDelivered += report.delivered;
    this.lastOpperAt = Date.now();
    const auth = report.failures.find((failure) => failure.reason === 'auth');
    const tls = report.failures.find((failure) => failure.reason === 'tls');
    if (auth !== undefined) this.lastOpperProblem = `Opper rejected the API key (${auth.detail})`;
    else if (tls !== undefined) this.lastOpperProblem = `Opper's TLS certificate is not trusted (${tls.detail}); see NODE_EXTRA_CA_CERTS`;
    else if (report.delivered > 0 || report.failures.some((failure) => failure.reason === 'rejected')) this.lastOpperProblem = undefined;
    else if (report.failures.length > 0) this.lastOpperProblem = `Opper did not answer in time (${report.failures[0]!.detail})`;
    return report;
  }

  private busy(): Refused {
    this.counts.requestsBusy++;
    const { maxPendingSpans, maxPendingBytes } = this.options;
    const message = `the bridge is at its bound (${this.budget.pendingSpans} spans / ${this.budget.pendingBytes} bytes in flight; max ${maxPendingSpans} / ${maxPendingBytes})`;
    return { kind: 'busy', retryAfterSeconds: BUSY_RETRY_SECONDS, message };
  }

  private unavailable(count: number, why: string): Answer {
    this.counts.spansRetryable += count;
    return { kind: 'unavailable', retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS, message: this.redact(why) };
  }
}

function summary(details: string[]): string {
  return [...new Set(details)].slice(0, MAX_DETAILS).join('; ');
}
