/** The delivery engine behind one interface, whether it runs on the app's thread or in a worker. */
import type { HttpClientOptions } from './http-client.js';
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
  /** Waits for room for `count` spans; undefined once admitted, or why not (`SpanSender.admit`). */
  admit(count: number, deadline: number): Promise<string | undefined>;
  /** Never rejects: every span ends up delivered or in `failures` (`SpanSender.deliver`). */
  deliver(jobs: readonly SpanJob[], deadline: number, admitted?: number): Promise<DeliveryReport>;
  /**
   * Only where translating elsewhere is cheaper (the worker): delivers `jobs` plus the spans of
   * `slices`, untranslated, which the engine translates before sending. Each slice is handed over
   * as it comes (the iterable yields to the event loop between them); `jobs` may grow until the
   * last slice has been read. `admitted`: as `deliver`.
   */
  deliverUntranslated?(slices: AsyncIterable<UntranslatedSlice>, jobs: SpanJob[], admitted: number, deadline: number): Promise<Delivered>;
  readonly counters: SenderCounters;
  /**
   * Stops for good: requests still running are cancelled, nothing is sent afterwards, deliveries
   * still pending settle as failed, and nothing of the engine keeps the process alive.
   */
  close(): void;
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

/** Everything an engine is built from. Functions in `sender` other than `shrink` and `redact` are
 * notifications (void): a worker engine calls them back on the app's thread. */
export interface DeliverySetup {
  client: HttpClientOptions;
  sender: SpanSenderOptions;
  /** The size `sender.shrink` cuts a body to; a worker rebuilds `shrink` from it. */
  shrinkBytes: number;
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

  admit(count: number, deadline: number): Promise<string | undefined> {
    return this.sender.admit(count, deadline);
  }

  deliver(jobs: readonly SpanJob[], deadline: number, admitted?: number): Promise<DeliveryReport> {
    return this.sender.deliver(jobs, deadline, admitted);
  }

  close(): void {
    this.sender.close();
    this.client.close();
  }
}
