import { diag } from '@opentelemetry/api';
import type { FailureReason } from '../outcomes.js';
import { Admission } from './admission.js';
import { beforeTime } from './deadline.js';
import { BacklogWatch, fallingBehindMessage } from './backlog.js';
import { Capacity, type CapacityRange } from './capacity.js';
import { DoneSpans, type DoneSpansLimits, type SpanProgress } from './done-spans.js';
import { Health } from './health.js';
import { Limiter } from './limiter.js';
import {
  BACKOFF_MAX_MS,
  classifyNetworkError,
  classifyStatus,
  isOpperReply,
  parseRetryAfter,
  retryDelay,
  type Verdict,
} from './retry-policy.js';
import type { HttpResponse } from './http-client.js';
import { isNetworkError } from './network-error.js';
import { answerProblem, describeUnexpected, excerpt, networkProblem, retryAfterProblem, type Problem } from './problems.js';

/** One span to deliver: its create body, then its PATCH body. Nothing here is OpenTelemetry's. */
export interface SpanJob {
  id: string;
  parentId?: string;
  /** Absent: the create already landed (a live span, or a PATCH retried later). */
  create?: string;
  /** Absent: only the create goes now (a live span that is still running). */
  update?: string;
}

export interface RequestSender {
  request(method: 'POST' | 'PATCH', path: string, body: string, timeoutMs: number): Promise<HttpResponse>;
}

export interface SpanSenderOptions {
  /** Requests in flight: where they start and the range they adapt within (`Capacity`). */
  concurrency: CapacityRange;
  timeoutMillis: number;
  /** Spans held across deliveries in flight; a delivery past it waits for room (see `admit()`). */
  maxPendingSpans: number;
  /** Cuts a body much harder, for a second try after the server answered 413. */
  shrink(body: string): string;
  /** Where requests go; named in problems. */
  baseUrl: string;
  /** The door this sender serves, named in its log lines (`OpperSpanExporter`, `opper-otlp-bridge`...). */
  door: string;
  /**
   * Told of each cause the user must hear about (a rejected key, an untrusted certificate, a
   * wrong base URL...), possibly many times: the callee says it once. The sender acts by itself.
   */
  onProblem(problem: Problem): void;
  /** Removes secrets from text that may echo them (a server's error page). */
  redact(text: string): string;
  /** Remember what was done per span, so a span sent again only costs what is missing (see DoneSpans). */
  remember?: DoneSpansLimits | undefined;
}

/** Reasons that stop a whole delivery: every later request would fail the same way. */
type StopReason = 'auth' | 'tls';

export interface SpanFailure {
  id: string;
  reason: FailureReason;
  /** What the server or the network said, e.g. `HTTP 422: score must be an integer`. */
  detail: string;
  /** True when not even the create was attempted. */
  unsent: boolean;
  /** True when the create landed (now or earlier): only the PATCH remains to retry. */
  created: boolean;
}

export interface DeliveryReport {
  delivered: number;
  failures: SpanFailure[];
}

export interface SenderCounters {
  requests: number;
  retries: number;
  /** Requests Opper pushed back on (429, 503) or did not answer in time. */
  pushedBack: number;
  /** Windows of 5 s in which spans arrived faster than they were delivered. */
  windowsBehind: number;
  /** Requests allowed in flight now (a gauge). */
  concurrency: number;
}

type Outcome = { ok: true } | { ok: false; reason: FailureReason; detail: string; sent: boolean };

/** How one request ended. */
interface Attempt {
  verdict: Verdict;
  /** What the server or the network said, for diagnostics. */
  detail: string;
  retryAfter?: string;
  status?: number;
}

/** State shared by the spans of one `deliver()` call (one export). */
interface BatchState {
  readonly deadline: number;
  /** Set once a request shows that no other can succeed (a rejected key, an untrusted certificate). */
  stopped?: { reason: StopReason; detail: string };
}

/**
 * Delivers spans, each as a create then a PATCH, with bounded concurrency shared by every
 * delivery, retries inside each delivery's deadline, and a single probe request while the API
 * key is unproven, so a rejected key costs one request per export rather than a storm.
 */
export class SpanSender {
  private readonly limiter = new Limiter(1);
  private readonly health = new Health();
  private readonly capacity: Capacity;
  private readonly backlog = new BacklogWatch(Date.now());
  private readonly admission: Admission;
  private failedInOutage = false;
  private requests = 0;
  private retries = 0;
  /** Set by `close()`: retries and waits stop, no request starts (the client's close cancels
   * those running). */
  private closed = false;
  private readonly sleepers = new Set<() => void>();
  private readonly done: DoneSpans | undefined;

  constructor(
    private readonly client: RequestSender,
    private readonly options: SpanSenderOptions,
  ) {
    this.admission = new Admission(options.maxPendingSpans);
    this.capacity = new Capacity(options.concurrency);
    this.done = options.remember === undefined ? undefined : new DoneSpans(options.remember);
  }

  get counters(): SenderCounters {
    const { requests, retries, capacity, backlog } = this;
    return { requests, retries, pushedBack: capacity.pushedBack, windowsBehind: backlog.windowsBehind, concurrency: this.limiter.limit };
  }

  /**
   * Why a delivery of `count` more spans must be refused now, or undefined when it may go ahead.
   * A batch processor whose exports fail starts new ones before the old ones end (seen in SDK
   * 2.x): once a delivery has failed in an outage, the one in flight keeps probing and later ones
   * are refused, so memory stays flat however long the outage lasts. During an outage a delivery
   * past `maxPendingSpans` is refused too; while Opper is healthy it may wait (`admit()`).
   */
  refusal(count: number): string | undefined {
    const down = this.health.downFor(Date.now()) > 0;
    if (!down) this.failedInOutage = false;
    const held = this.admission.held;
    if (held === 0) return undefined;
    if (this.failedInOutage) return OUTAGE_REFUSAL;
    if (down && !this.admission.fits(count)) {
      return `${held} spans are still being delivered (maxPendingSpans ${this.admission.max}) and Opper is unavailable`;
    }
    return undefined;
  }

  /**
   * Admits a delivery of `count` spans, to be made with `deliver(jobs, deadline, count)`: at once
   * when it fits under `maxPendingSpans`; else, while Opper is healthy, once earlier deliveries
   * have made room (a slow Opper or a burst is no reason to drop spans), until `deadline`.
   * Resolves with undefined once admitted, or with why not (see `refusal()`).
   */
  async admit(count: number, deadline: number): Promise<string | undefined> {
    const refusal = this.refusal(count);
    if (refusal !== undefined) return refusal;
    const late = () =>
      `no room before the export deadline: ${this.admission.held} spans are still being delivered (maxPendingSpans ${this.admission.max}): Opper is slow`;
    if (!this.admission.fits(count)) this.backlog.waitedForRoom();
    return this.admission.take(count, deadline, late);
  }

  /**
   * Never rejects: every span ends up delivered or in `failures`. `admitted`: the count held for
   * this delivery by `admit()`; without it the spans are held here, past the bound if need be (the
   * caller bounds them).
   */
  async deliver(jobs: readonly SpanJob[], deadline: number, admitted?: number): Promise<DeliveryReport> {
    const held = admitted ?? jobs.length;
    if (admitted === undefined) this.admission.force(held);
    this.backlog.offer(jobs.length);
    try {
      const report = await this.deliverAll(jobs, deadline);
      if (report.failures.length > 0 && this.health.downFor(Date.now()) > 0) {
        this.failedInOutage = true;
        this.admission.refuseWaiting(OUTAGE_REFUSAL);
      }
      return report;
    } finally {
      this.admission.release(held);
    }
  }

  /**
   * Stops for good: requests in flight are cancelled, waits and retries end, every delivery still
   * running settles at once with its unfinished spans failed, and later ones fail at once.
   */
  close(): void {
    this.closed = true;
    for (const wake of [...this.sleepers]) wake();
    this.admission.refuseWaiting(CLOSED);
  }

  private async deliverAll(jobs: readonly SpanJob[], deadline: number): Promise<DeliveryReport> {
    const delivery: BatchState = { deadline };
    // Started in parent-first order, so a parent's create is queued before its children's; a
    // child never waits for the answer (ids link them in any order).
    const outcomes = parentsFirst(jobs).map((job) => {
      const outcome = this.deliverSpan(delivery, job);
      return Promise.all([outcome.created, outcome.done]).then(([create, result]) => {
        if (result.ok) this.backlog.deliver(1);
        return { id: job.id, create, result };
      });
    });
    const failures: SpanFailure[] = [];
    for (const { id, create, result } of await Promise.all(outcomes)) {
      // Only a stopped delivery leaves spans unsent on purpose; a deadline is a failure to deliver.
      if (!result.ok) {
        const unsent = (result.reason === 'auth' || result.reason === 'tls') && !result.sent;
        failures.push({ id, reason: result.reason, detail: result.detail, unsent, created: create.ok });
      }
    }
    return { delivered: jobs.length - failures.length, failures };
  }

  private deliverSpan(delivery: BatchState, job: SpanJob) {
    const { create: createBody, update } = job;
    const created = (async (): Promise<Outcome> => {
      if (createBody === undefined) return { ok: true };
      return this.step(job.id, 'created', () => this.send(delivery, 'POST', 'spans', createBody, false, job.id));
    })();
    const done = created.then(
      async (create): Promise<Outcome> =>
        create.ok && update !== undefined
          ? this.step(job.id, 'ended', () => this.send(delivery, 'PATCH', `spans/${job.id}`, update, true, undefined).then(afterCreate))
          : create,
    );
    return { created, done };
  }

  /** `run`, unless the memory says span `id` already got to `progress` (or another delivery is taking it there). */
  private async step(id: string, progress: SpanProgress, run: () => Promise<Outcome>): Promise<Outcome> {
    if (this.done === undefined) return run();
    return (await this.done.step(id, progress, run)) ?? { ok: true };
  }

  /**
   * One request with its retries; resolves with how it ended, never rejects. `id`: the span a
   * create's reply must name (undefined for a PATCH, whose reply need only be a JSON object).
   */
  private async send(
    delivery: BatchState,
    method: 'POST' | 'PATCH',
    path: string,
    body: string,
    urgent: boolean,
    id: string | undefined,
  ): Promise<Outcome> {
    let shrunk = false;
    let sent = false;
    let lastError = 'the deadline passed before the request could be sent';
    for (let attempt = 1; ; attempt++) {
      // Only a request that waits for a slot needs a timer for the deadline: one that starts now
      // ends by it on its own (its timeout is capped by it).
      const waits = !this.limiter.free;
      const work = this.limiter.run(() => this.attempt(delivery, method, path, body, id), urgent);
      const result = waits ? await beforeTime(work, delivery.deadline + DEADLINE_MARGIN_MS) : await work;
      if (result === undefined) {
        if (this.closed) return { ok: false, reason: 'deadline', detail: CLOSED, sent };
        const { stopped } = delivery;
        if (stopped !== undefined) return { ok: false, reason: stopped.reason, detail: stopped.detail, sent };
        return { ok: false, reason: 'deadline', detail: lastError, sent };
      }
      sent = true;
      lastError = result.detail;
      switch (result.verdict) {
        case 'done':
          return { ok: true };
        case 'auth':
        case 'tls':
          return { ok: false, reason: result.verdict, detail: result.detail, sent };
        case 'too-large':
          if (shrunk) return { ok: false, reason: 'rejected', detail: result.detail, sent };
          body = this.options.shrink(body);
          shrunk = true;
          continue;
        case 'reject':
          return { ok: false, reason: 'rejected', detail: result.detail, sent };
        case 'retry': {
          const delay = retryDelay(attempt, result.retryAfter, Date.now(), Math.random());
          // Waiting past the deadline would only delay the failure.
          if (Date.now() + delay >= delivery.deadline) return { ok: false, reason: 'deadline', detail: result.detail, sent };
          this.retries++;
          diag.debug(
            this.options.redact(
              `${this.options.door}: ${method} /${path} failed (${result.detail}); retry ${attempt} in ${Math.round(delay)} ms`,
            ),
          );
          await this.sleep(delay);
        }
      }
    }
  }

  /**
   * One request, made while holding a connection slot. During an outage the shared pause is
   * waited out here, slot held, so the requests of every span queue behind one probe. How the
   * request ended is taken in before the slot is released, so that no queued request slips out
   * after a rejected key or an untrusted certificate. Undefined: nothing was sent.
   */
  private async attempt(
    delivery: BatchState,
    method: 'POST' | 'PATCH',
    path: string,
    body: string,
    id: string | undefined,
  ): Promise<Attempt | undefined> {
    // Requests already in flight when the outage began may push the pause further while we wait.
    for (let pause = this.health.pause(Date.now()); pause > 0; pause = this.health.pause(Date.now())) {
      if (Date.now() + pause >= delivery.deadline) return undefined;
      await this.sleep(pause);
    }
    const remaining = delivery.deadline - Date.now();
    if (delivery.stopped !== undefined || remaining <= 0 || this.closed) return undefined;
    this.requests++;
    let result: Attempt;
    let problem: Problem | undefined;
    let pushedBack = false;
    const sentAt = Date.now();
    const timeout = Math.min(this.options.timeoutMillis, remaining);
    try {
      const response = await this.client.request(method, path, body, timeout);
      let verdict = classifyStatus(response.status, method);
      // A 2xx proves delivery only when Opper's JSON says so; anything else is retried as transient,
      // so a blip recovers and a lasting one turns into the outage trickle.
      const unexpected = verdict === 'done' && response.status < 300 && !isOpperReply(response.contentType, response.body, id);
      if (unexpected) verdict = 'retry';
      // Reading the server's message costs a JSON.parse: only worth it when something went wrong.
      const detail = verdict === 'done' ? '' : unexpected ? describeUnexpected(response) : describe(response);
      result = { verdict, detail, retryAfter: response.retryAfter, status: response.status };
      problem = verdict === 'done' ? undefined : this.answerProblem(method, path, response, unexpected);
      this.health.record(verdict, response.retryAfter, Date.now(), Math.random());
      pushedBack = response.status === 429 || response.status === 503;
    } catch (error) {
      if (this.closed) return undefined; // cancelled by close(): not the network's fault
      if (!isNetworkError(error)) {
        // A fault of the client itself, not of the network: retrying would not help.
        return { verdict: 'reject', detail: String(error) };
      }
      let fault = classifyNetworkError(error.code, error.message);
      // A request the export's deadline cut short (its timeout was `remaining`) to under 1 s says
      // nothing of the server; one that waited its full timeoutMillis, or 1 s, does.
      if (fault === 'no-answer' && remaining < this.options.timeoutMillis && remaining < 1000) fault = 'transient';
      result = { verdict: fault === 'tls' ? 'tls' : 'retry', detail: `${error.code}: ${error.message}` };
      problem = networkProblem(this.options.baseUrl, fault, error.code, error.message);
      // A request cut short by the delivery's deadline says nothing about Opper: a deadline is not
      // an outage, nor a push-back.
      const cutByDeadline = timeout < this.options.timeoutMillis && Date.now() - sentAt >= timeout;
      if (!cutByDeadline) this.health.record(fault === 'tls' ? 'tls' : 'network', undefined, Date.now(), Math.random());
      pushedBack = isTimeout(error.code) && !cutByDeadline;
    }
    this.adapt(sentAt, pushedBack);
    const { verdict } = result;
    if ((verdict === 'auth' || verdict === 'tls') && delivery.stopped === undefined) {
      delivery.stopped = { reason: verdict, detail: result.detail };
    }
    if (problem !== undefined) this.options.onProblem(problem);
    return result;
  }

  /** Resolves after `ms`, or at once on `close()`. */
  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** Takes one request's round trip into the limit of requests in flight, and into the backlog watch. */
  private adapt(sentAt: number, pushedBack: boolean): void {
    const now = Date.now();
    const waiting = this.limiter.waiting > 0;
    if (pushedBack) this.capacity.pushedBackNow(now);
    else this.capacity.answered(now - sentAt, now, waiting);
    this.limiter.setLimit(this.health.limit(this.capacity.limit));
    this.backlog.request(pushedBack, waiting, this.capacity.limit >= this.options.concurrency.max);
    const behind = this.backlog.check(now);
    if (behind !== undefined)
      this.options.onProblem({ cause: 'falling-behind', message: fallingBehindMessage(behind, this.options.concurrency.max) });
  }

  /** What an HTTP answer that is not a success tells the user, if anything. */
  private answerProblem(method: string, path: string, response: HttpResponse, unexpected: boolean): Problem | undefined {
    const asked = parseRetryAfter(response.retryAfter, Date.now());
    if (asked !== undefined && asked > BACKOFF_MAX_MS) return retryAfterProblem(asked, response.retryAfter!);
    return answerProblem(this.options.baseUrl, method, path, response, unexpected);
  }
}

/**
 * Orders spans so that a parent comes before its children when both are in the batch. Iterative,
 * so a chain of any depth fits; a span in a cycle of parent ids (or its own parent) is a root.
 */
function parentsFirst(jobs: readonly SpanJob[]): SpanJob[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const depth = new Map<string, number>();
  for (const job of jobs) {
    const path: SpanJob[] = [];
    const onPath = new Set<string>();
    let next: SpanJob | undefined = job;
    while (next !== undefined && !depth.has(next.id) && !onPath.has(next.id)) {
      path.push(next);
      onPath.add(next.id);
      next = next.parentId === undefined ? undefined : byId.get(next.parentId);
    }
    let d = next === undefined || onPath.has(next.id) ? -1 : depth.get(next.id)!;
    for (let i = path.length - 1; i >= 0; i--) depth.set(path[i]!.id, ++d);
  }
  return [...jobs].sort((a, b) => depth.get(a.id)! - depth.get(b.id)!);
}

const CLOSED = 'the delivery was shut down before it was delivered';
const OUTAGE_REFUSAL = 'Opper is unavailable and an earlier export is still trying';

/** `HTTP 422: <server message>`, short enough for a log line. */
function describe(response: HttpResponse): string {
  let message = '';
  try {
    const parsed = JSON.parse(response.body) as { message?: unknown; detail?: unknown };
    message = [parsed.message, parsed.detail]
      .filter((part) => part !== undefined && part !== null && part !== '')
      .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
      .join(': ');
  } catch {
    message = response.body;
  }
  message = excerpt(message);
  return message ? `HTTP ${response.status}: ${message}` : `HTTP ${response.status}`;
}

// A request that got no answer, or no connection, in time (the client names both as node does).
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function isTimeout(code: string): boolean {
  return TIMEOUT_CODES.has(code);
}

/** The PATCH's outcome, as the span's: its create was sent whatever became of the PATCH. */
function afterCreate(patch: Outcome): Outcome {
  return patch.ok ? patch : { ...patch, sent: true };
}

// Requests end by the deadline on their own (their timeout is capped by it); this bounds the wait
// for a connection slot, with a margin for timer jitter.
const DEADLINE_MARGIN_MS = 100;
