/** The delivery engine behind one interface, whether it runs on the app's thread or in a worker. */
import { Warnings } from '../diagnostics.js';
import { shrinkBody } from '../translate/cap.js';
import type { CapacityRange } from './capacity.js';
import type { DoneSpansLimits } from './done-spans.js';
import type { HttpClientOptions } from './http-client.js';
import type { Problem } from './problems.js';
import type { Deliverer } from './span-queue.js';
import {
  SpanSender,
  type DeliveryReport,
  type RequestSender,
  type SenderCounters,
  type SpanJob,
  type SpanSenderOptions,
} from './span-sender.js';

/** What the doors (exporter, processor, pending PATCHes) use of the engine. */
export interface Delivery extends Deliverer {
  /** Waits for room for `count` spans (`SpanSender.admit`): a ticket for the delivery that sends
   * them, or why not. */
  admit(count: number, deadline: number): Promise<Admitted>;
  /** Never rejects: every span ends up delivered or in `failures` (`SpanSender.deliver`). Without
   * a ticket the spans are held past the bound if need be (the caller bounds them). */
  deliver(jobs: readonly SpanJob[], deadline: number, ticket?: Ticket): Promise<DeliveryReport>;
  /**
   * Only where translating elsewhere is cheaper (the worker): delivers `batch.jobs` plus the spans
   * of `slices`, untranslated, which the engine translates before sending. Each slice is handed
   * over as it comes (the iterable yields to the event loop between them); `jobs` may grow until
   * the last slice has been read.
   */
  deliverUntranslated?(slices: AsyncIterable<UntranslatedSlice>, batch: UntranslatedDelivery): Promise<Delivered>;
  readonly counters: SenderCounters;
  /**
   * Stops for good: requests still running are cancelled, nothing is sent afterwards, deliveries
   * still pending settle as failed, and nothing of the engine keeps the process alive.
   */
  close(): void;
}

/** Room `admit()` holds for `spans` spans until the one delivery it is handed to ends. */
export interface Ticket {
  readonly spans: number;
}

export type Admitted = { ticket: Ticket } | { refusal: string };

export interface UntranslatedDelivery {
  /** Jobs translated here (a span whose parts could not be read). */
  jobs: SpanJob[];
  deadline: number;
  ticket: Ticket;
}

/** Part of a batch to translate elsewhere: `count` spans as opaque data, and `fallback`, which
 * translates them here instead should `spans` not be copyable. */
export interface UntranslatedSlice {
  spans: unknown;
  count: number;
  fallback: () => SpanJob[];
}

/** A delivery's report, with the jobs its caller may keep PATCHes of (`PendingPatches.keep`):
 * those translated on this thread, and the PATCH-only jobs of spans translated elsewhere whose
 * create landed while their PATCH failed. */
export interface Delivered {
  report: DeliveryReport;
  jobs: SpanJob[];
}

/** Everything an engine is built from, as plain data (a worker engine gets it as its `workerData`). */
export interface DeliverySetup {
  client: ClientSetup;
  sender: SenderLimits;
  /** On a 413 the span is sent once more cut to this size. */
  shrinkBytes: number;
}

/** How the HTTP client reaches Opper (`HttpClientOptions` without its callback). */
export interface ClientSetup {
  baseUrl: string;
  apiKey: string;
  headers: Readonly<Record<string, string>>;
  userAgent: string;
  maxConnections: number;
  proxy?: string | undefined;
}

/** The sender's limits (`SpanSenderOptions` without its functions). */
export interface SenderLimits {
  /** Names the door in the sender's log lines. */
  door: string;
  concurrency: CapacityRange;
  timeoutMillis: number;
  maxPendingSpans: number;
  remember?: DoneSpansLimits | undefined;
}

/** What the engine tells the door that built it, on the door's thread (from a worker, by message). */
export interface EngineNotifications {
  onProblem(problem: Problem): void;
  onProxyFailure?(reason: string): void;
}

/** The client's and the sender's options: `setup` with their functions, built here for every engine
 * (inline or in a worker) alike; `notify` is all that is not built from data. */
export function engineOptions(setup: DeliverySetup, notify: EngineNotifications): { client: HttpClientOptions; sender: SpanSenderOptions } {
  const { client, sender, shrinkBytes } = setup;
  // Redaction needs only the key: this redacts as the door's own Warnings (made with the same key) does.
  const secrets = new Warnings(client.apiKey);
  return {
    client: { ...client, onProxyFailure: (reason) => notify.onProxyFailure?.(reason) },
    sender: {
      ...sender,
      baseUrl: client.baseUrl,
      shrink: (body) => shrinkBody(body, shrinkBytes),
      redact: (text) => secrets.redact(text),
      onProblem: (problem) => notify.onProblem(problem),
    },
  };
}

/** A client the sender sends through, whose connections `close()` releases. */
export interface ClosableSender extends RequestSender {
  close(): void;
}

/** The engine on the app's own thread: the sender and its HTTP client (Node's, or fetch), as they are. */
export class InlineDelivery implements Delivery {
  private readonly sender: SpanSender;

  constructor(
    private readonly client: ClosableSender,
    options: SpanSenderOptions,
  ) {
    this.sender = new SpanSender(client, options);
  }

  get counters(): SenderCounters {
    return this.sender.counters;
  }

  async admit(count: number, deadline: number): Promise<Admitted> {
    const refusal = await this.sender.admit(count, deadline);
    return refusal === undefined ? { ticket: { spans: count } } : { refusal };
  }

  deliver(jobs: readonly SpanJob[], deadline: number, ticket?: Ticket): Promise<DeliveryReport> {
    return this.sender.deliver(jobs, deadline, ticket?.spans);
  }

  /** `SpanSender.refusal`, at once: for a door that bounds what it holds itself (the bridge). */
  refusal(count: number): string | undefined {
    return this.sender.refusal(count);
  }

  close(): void {
    this.sender.close();
    this.client.close();
  }
}
