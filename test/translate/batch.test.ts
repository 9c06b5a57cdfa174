// The one batch translation every door and the delivery worker use, and its rule for the spans it
// leaves out: invalid ids are never sent, and one span that cannot be read never sinks the rest.
import { describe, expect, it } from '@jest/globals';
import { INVALID_SPAN_CONTEXT, isInvalidSpan, translateBatch, translateSpan, unreadableSpan } from '../../src/translate/index.js';
import { fromParts, toParts } from '../../src/translate/parts.js';
import type { SpanJob } from '../../src/transport/span-sender.js';
import { makeSpan, SPAN_ID } from './helpers.js';

const OPTIONS = { maxBodyBytes: 64 * 1024, redactSecrets: true };

describe('translateBatch', () => {
  it('translates each span and leaves out those with invalid ids, each as the one failure', () => {
    const valid = makeSpan({ name: 'valid' });
    const zero = makeSpan({ traceId: '0'.repeat(32) });
    const upper = makeSpan({ spanId: SPAN_ID.toUpperCase() });
    const jobs: SpanJob[] = [];
    const failures = translateBatch([zero, upper, null as never, valid], OPTIONS, jobs);
    expect(jobs).toEqual([translateSpan(valid, OPTIONS)]);
    expect(failures.map(isInvalidSpan)).toEqual([true, true, true]);
    expect(failures[0]).toEqual({ id: '?', reason: 'rejected', detail: `not sent: ${INVALID_SPAN_CONTEXT}`, unsent: true, created: false });
  });

  it('says what a span that cannot be read at all becomes', () => {
    expect(unreadableSpan(new TypeError('no spanContext'))).toEqual({
      id: '?',
      reason: 'rejected',
      detail: 'not a readable span: no spanContext',
      unsent: true,
      created: false,
    });
  });

  it('translates a walked span (the worker parts) to the bodies of the span itself', () => {
    const span = makeSpan({ events: Array.from({ length: 5_000 }, (_, i) => ({ name: `e${i}`, time: [1, i] as [number, number] })) });
    const parts = structuredClone(toParts([span], OPTIONS, () => undefined));
    const jobs: SpanJob[] = [];
    expect(
      translateBatch(
        parts.spans.map((part) => fromParts(part, parts.resources)),
        OPTIONS,
        jobs,
      ),
    ).toEqual([]);
    expect(jobs).toEqual([translateSpan(span, OPTIONS)]);
  });
});
