/**
 * What becomes of a span that does not reach Opper, in one table. The engine only states why, as a
 * reason (`SpanFailure.reason`, a span queue's `onLoss`); the doors and the metrics count, warn
 * and word it from here. Nothing is imported at run time, so the engine and the doors both read it.
 *
 * Failed or dropped (getStats().spansFailed, spansDropped): each door keeps the split its users
 * know, so the table states it per door.
 * - OpperSpanExporter asks whether the span was sent. Dropped: never sent, because the exporter
 *   refused it (no API key, shut down, no room in an outage) or the engine left it unsent (a
 *   rejected key or certificate stopped the export, an invalid span). Failed: sent or tried, and
 *   not stored; a PATCH given up after its create landed is failed too (patchesGivenUp).
 * - OpperSpanProcessor asks who gave the span up. Dropped: the processor itself, its queue full or
 *   itself shut down (an invalid span too), whether or not a request had left. Failed: delivery
 *   gave up on it (refused, expired, the key or certificate rejected), or there is no API key.
 */
import type { WarningCode } from './diagnostics.js';

/** Why the sender did not get a span (completely) into Opper. */
export type FailureReason = 'rejected' | 'deadline' | 'auth' | 'tls';
/** Why a span queue gave a span up: the sender's reasons or its own (the keys of spansLost). */
export type LossReason = FailureReason | 'expired' | 'queue-full' | 'shutdown';
/** Every reason, the exporter's own included. */
export type Reason = LossReason | 'not-configured' | 'unavailable' | 'invalid-span' | 'threw';
/** The reasons OpperSpanExporter counts and words an export's spans by. */
export type ExporterReason = Exclude<Reason, 'expired' | 'invalid-span'>;

/** `dropped-if-unsent`: dropped when the engine never sent the span (`SpanFailure.unsent`), else failed. */
export type Count = 'failed' | 'dropped' | 'dropped-if-unsent';

/** What a door knows of a loss besides its reason, for its words. */
export interface LossFacts {
  /** What the server, the network or the engine said. */
  detail?: string | undefined;
  /** `shutdown`: the span was held then (`queued` or in flight, or still `untranslated`), not arriving after. */
  held?: 'queued' | 'untranslated' | undefined;
  /** `queue-full`: refused on the count bound alone, before its bodies were made. */
  byCount?: boolean | undefined;
}

/** The processor's bounds, named in its words. */
interface QueueBounds {
  maxQueueSize: number;
  maxQueueBytes: number;
  maxSpanAgeMillis: number;
}

/** The bounds of the exporter's pending PATCHes (`PENDING_PATCH_BOUNDS`). */
interface PatchBounds {
  spans: number;
  bytes: number;
  ageMillis: number;
}

interface Columns {
  /** The metrics' `error.type`: the conventions' rejected, timeout, queue_full, already_shutdown, _OTHER; then ours. */
  errorType: string;
  /** Opper refused the span itself: sending it again cannot help (a PATCH is not kept; the bridge answers it refused for good). */
  final?: true;
  /** Says nothing of the span: a span queue sends it again, until it expires. */
  retried?: true;
}

/** OpperSpanExporter, an export's spans: how getStats() counts them, and the words of the export's error. */
interface ExporterColumn {
  counts: Count;
  says(facts: LossFacts): string;
}

/** The exporter's PATCHes kept for a retry: always failed (patchesGivenUp), warned PATCHES_GIVEN_UP with these words. */
interface PatchColumn {
  says(facts: LossFacts, bounds: PatchBounds): string;
}

/** OpperSpanProcessor, counted under the reason in spansLost too: its split, its warning, the warning's words. */
interface ProcessorColumn {
  counts: 'failed' | 'dropped';
  warning?: keyof typeof WarningCode;
  says(facts: LossFacts, bounds: QueueBounds): string;
}

/** The columns a reason fills: those of the doors that meet it. */
type Row<R extends Reason> = Columns &
  (R extends ExporterReason ? { exporter: ExporterColumn } : unknown) &
  (R extends LossReason ? { patch: PatchColumn; processor: ProcessorColumn } : unknown);

const detail = ({ detail }: LossFacts) => detail ?? '';

const PROCESSOR_SHUTDOWN = {
  arriving: 'the processor is shut down',
  queued: 'still queued or being delivered when the processor shut down',
  untranslated: 'not translated before shutdownTimeoutMillis',
} as const;

export const OUTCOMES: { readonly [R in Reason]: Row<R> } = {
  rejected: {
    errorType: 'rejected',
    final: true,
    exporter: { counts: 'dropped-if-unsent', says: () => 'refused by Opper' },
    patch: { says: detail },
    processor: { counts: 'failed', warning: 'SpansRejected', says: detail },
  },
  deadline: {
    errorType: 'timeout',
    retried: true,
    exporter: { counts: 'dropped-if-unsent', says: () => 'not accepted before the export deadline' },
    patch: { says: detail },
    processor: { counts: 'failed', says: detail },
  },
  auth: {
    errorType: 'auth',
    exporter: { counts: 'dropped-if-unsent', says: () => 'not sent: the API key was rejected' },
    patch: { says: detail },
    // The processor counts a span that ends with no API key here (the exporter: `not-configured`).
    processor: { counts: 'failed', says: (facts) => facts.detail ?? 'no API key' },
  },
  tls: {
    errorType: 'tls',
    exporter: { counts: 'dropped-if-unsent', says: () => "not sent: Opper's TLS certificate is not trusted" },
    patch: { says: detail },
    processor: { counts: 'failed', says: detail },
  },
  expired: {
    errorType: 'expired',
    patch: { says: (_, { ageMillis }) => `not accepted within ${ageMillis / 60_000} minutes` },
    processor: {
      counts: 'failed',
      warning: 'SpansExpired',
      says: (_, { maxSpanAgeMillis }) => `not delivered within maxSpanAgeMillis (${maxSpanAgeMillis} ms)`,
    },
  },
  'queue-full': {
    errorType: 'queue_full',
    // In an export: its create landed, its PATCH found no room among the pending ones.
    exporter: { counts: 'failed', says: () => 'whose create landed but whose PATCH could not be kept for a retry (too many pending)' },
    patch: {
      says: (_, { spans, bytes }) => `${spans} PATCHes (or ${bytes / 1024 / 1024} MiB) are already pending: Opper is slow or unavailable`,
    },
    processor: {
      counts: 'dropped',
      warning: 'QueueFull',
      says: ({ byCount }, { maxQueueSize, maxQueueBytes }) =>
        `the queue is full (maxQueueSize ${maxQueueSize}${byCount ? '' : `, maxQueueBytes ${maxQueueBytes}`}): Opper is slow or unavailable`,
    },
  },
  shutdown: {
    errorType: 'already_shutdown',
    exporter: { counts: 'dropped', says: () => 'the exporter is shut down' },
    patch: { says: () => 'still pending when the exporter shut down' },
    processor: { counts: 'dropped', warning: 'SpansLostAtShutdown', says: ({ held }) => PROCESSOR_SHUTDOWN[held ?? 'arriving'] },
  },
  'not-configured': {
    errorType: 'not_configured',
    exporter: { counts: 'dropped', says: (facts) => facts.detail ?? 'no API key is configured (OPPER_API_KEY)' },
  },
  // The engine's refusal (an outage, or no room under maxPendingSpans by the export deadline).
  unavailable: { errorType: 'unavailable', exporter: { counts: 'dropped', says: detail } },
  // Comes as a `rejected`, unsent failure, and is counted and worded as one; only its metric differs.
  'invalid-span': { errorType: 'invalid_span' },
  // The export threw: nothing named why.
  threw: { errorType: '_OTHER', exporter: { counts: 'failed', says: detail } },
};

/** How OpperSpanExporter counts a span given up for `reason`; `unsent`: the engine never sent it. */
export function exporterCount(reason: ExporterReason, unsent = false): 'failed' | 'dropped' {
  const { counts } = OUTCOMES[reason].exporter;
  return counts === 'dropped-if-unsent' ? (unsent ? 'dropped' : 'failed') : counts;
}
