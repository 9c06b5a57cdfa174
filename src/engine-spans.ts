/**
 * The engine as a door sees it: spans and a deadline in, outcomes out. Where the spans are
 * translated is the engine's choice, not the door's: here on the app's thread in time slices, or,
 * where the engine offers it (the worker) and no mask must run here, in the worker from their
 * parts, each cut to the body budget here (bound.ts): measured cheaper for the app's thread.
 */
import { slice, timeSliced } from './slices.js';
import type { Delivery, UntranslatedSlice } from './transport/delivery.js';
import type { DeliveryReport, SpanFailure, SpanJob } from './transport/span-sender.js';
import { invalidSpan, translateBatch } from './translate/batch.js';
import { PartsBuilder, type UntranslatedBatch } from './translate/parts.js';
import type { ReadableSpanLike, TranslateOptions } from './translate/types.js';

export interface SpansDelivery {
  translation: TranslateOptions;
  deadline: number;
}

/** Why the engine refused the spans, or what became of them: the report, the jobs whose PATCH
 * may be kept for a retry (`PendingPatches.keep`), and the spans never translated (invalidSpan,
 * unreadableSpan). */
export type SpansOutcome = { refusal: string } | { report: DeliveryReport; jobs: SpanJob[]; untranslatable: SpanFailure[] };

/** Bytes of span data (at least, as bound.ts measures) posted to the worker in one message. */
const SLICE_BYTES = 4 * 1024 * 1024;

/** Waits for room for the spans, then translates and delivers them: what a waiting export holds
 * is its spans, never their bodies. */
export async function deliverSpans(
  engine: Delivery,
  spans: readonly ReadableSpanLike[],
  { translation, deadline }: SpansDelivery,
): Promise<SpansOutcome> {
  const admitted = await engine.admit(spans.length, deadline);
  if ('refusal' in admitted) return admitted;
  const { ticket } = admitted;
  const jobs: SpanJob[] = [];
  const untranslatable: SpanFailure[] = [];
  const { mask, onMaskError: _, ...options } = translation;
  if (engine.deliverUntranslated === undefined || mask !== undefined) {
    for await (const run of timeSliced(spans)) untranslatable.push(...translateBatch(run, translation, jobs));
    return { report: await engine.deliver(jobs, deadline, ticket), jobs, untranslatable };
  }
  const slices = partSlices(spans, options, jobs, untranslatable);
  return { ...(await engine.deliverUntranslated(slices, { jobs, deadline, ticket })), untranslatable };
}

/**
 * The spans' parts in slices of about `SLICE_BYTES` (or what one time slice builds), each read at
 * its own turn of the event loop; a span whose parts cannot be read is translated here into
 * `jobs`. One slice's fallback translates its own spans.
 */
async function* partSlices(
  spans: readonly ReadableSpanLike[],
  options: UntranslatedBatch['options'],
  jobs: SpanJob[],
  untranslatable: SpanFailure[],
): AsyncGenerator<UntranslatedSlice> {
  const parts = new PartsBuilder(options);
  const translateHere = (these: readonly ReadableSpanLike[], into: SpanJob[]) => {
    untranslatable.push(...translateBatch(these, options, into));
    return into;
  };
  let inSlice: ReadableSpanLike[] = [];
  const cut = (): UntranslatedSlice => {
    const these = inSlice;
    inSlice = [];
    const batch: UntranslatedBatch = { batch: parts.take(), options };
    return { spans: batch, count: these.length, fallback: () => translateHere(these, []) };
  };
  const current = slice();
  for (const span of spans) {
    const invalid = invalidSpan(span);
    if (invalid !== undefined) untranslatable.push(invalid);
    else if (parts.add(span)) inSlice.push(span);
    else translateHere([span], jobs);
    if (parts.bytes >= SLICE_BYTES || current.spent()) {
      if (parts.size > 0) yield cut();
      await current.next();
    }
  }
  if (parts.size > 0) yield cut();
}
