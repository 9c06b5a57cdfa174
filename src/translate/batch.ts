/**
 * A batch of spans translated into the engine's jobs, the same for every door and the worker:
 * each span on its own, so that one malformed span cannot sink the rest, and one rule for the
 * spans left out and the failure each becomes.
 */
import type { BoundedSpan } from './bound.js';
import { hasValidIds, INVALID_SPAN_CONTEXT } from './ids.js';
import { translateSpan } from './span.js';
import type { ReadableSpanLike, TranslatedSpan, TranslateOptions } from './types.js';

/** A span the translation leaves out, as the engine reports a span it never sent (it fits the
 * transport's `SpanFailure` as it is, without this layer importing the transport). */
export interface LeftOut {
  id: '?';
  reason: 'rejected';
  detail: string;
  unsent: true;
  created: false;
}

/** A span to translate: as its door got it, or as the walk (bound.ts) left it (the worker's parts). */
export type SpanToTranslate = ReadableSpanLike | BoundedSpan;

/** Translates each span into `into`; returns the failures of the spans left out (`invalidSpan`,
 * `unreadableSpan`), never sent. */
export function translateBatch(
  spans: Iterable<SpanToTranslate>,
  options: TranslateOptions,
  into: { push(span: TranslatedSpan): unknown },
): LeftOut[] {
  const failures: LeftOut[] = [];
  for (const item of spans) {
    const bounded = isBounded(item) ? item : undefined;
    const span = bounded === undefined ? (item as ReadableSpanLike) : bounded.span;
    const invalid = invalidSpan(span);
    if (invalid !== undefined) {
      failures.push(invalid);
      continue;
    }
    try {
      into.push(translateSpan(span, options, bounded));
    } catch (error) {
      failures.push(unreadableSpan(error));
    }
  }
  return failures;
}

const INVALID_DETAIL = `not sent: ${INVALID_SPAN_CONTEXT}`;

/** The failure a span whose ids are invalid (`hasValidIds`) becomes, or undefined for a valid one:
 * no door sends it, since its ids would collapse onto another span's in Opper. */
export function invalidSpan(span: ReadableSpanLike): LeftOut | undefined {
  if (hasValidIds(span)) return undefined;
  return { id: '?', reason: 'rejected', detail: INVALID_DETAIL, unsent: true, created: false };
}

/** Whether `failure` is `invalidSpan`'s (a door words its own warning for those). */
export function isInvalidSpan(failure: { detail: string }): boolean {
  return failure.detail === INVALID_DETAIL;
}

/** The failure of a span the translation could not read at all. */
export function unreadableSpan(error: unknown): LeftOut {
  const detail = `not a readable span: ${error instanceof Error ? error.message : String(error)}`;
  return { id: '?', reason: 'rejected', detail, unsent: true, created: false };
}

// Only a walk's result has `eventsCut`; null-safe, for a door handed something that is no span.
function isBounded(item: SpanToTranslate): item is BoundedSpan {
  return typeof (item as Partial<BoundedSpan> | null)?.eventsCut === 'number';
}
