// Issue 10 item 10: times Opper cannot store, an end before the start, a span that is its own parent.
import { afterEach, describe, expect, it } from '@jest/globals';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OpperSpanExporter } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { clampedTime, translateSpan } from '../../src/translate/index.js';
import { SPAN_ID, TRACE_ID, makeSpan, parse, type SpanFields } from './helpers.js';

const OPTIONS = { maxBodyBytes: 512 * 1024 };
const translate = (fields: SpanFields) => parse(translateSpan(makeSpan(fields), OPTIONS));
const YEAR_27954: [number, number] = [820000000000, 0];
const YEAR_MINUS_50: [number, number] = [-63755000000, 0];

describe('clampedTime', () => {
  it('keeps times in years 0001-9999 and clamps the others to the nearest bound, saying what they were', () => {
    expect(clampedTime([1710928800, 123456789])).toEqual({ iso: '2024-03-20T10:00:00.123456Z' });
    expect(clampedTime([-62135596800, 0])).toEqual({ iso: '0001-01-01T00:00:00.000000Z' });
    expect(clampedTime([253402300799, 999_999_999])).toEqual({ iso: '9999-12-31T23:59:59.999999Z' });
    expect(clampedTime(YEAR_27954)).toEqual({ iso: '9999-12-31T23:59:59.999999Z', original: '+027954-10-07T17:46:40.000000Z' });
    expect(clampedTime([-62135596801, 0])).toEqual({ iso: '0001-01-01T00:00:00.000000Z', original: '0000-12-31T23:59:59.000000Z' });
    expect(clampedTime([1e300, 0])).toEqual({ iso: '9999-12-31T23:59:59.999999Z', original: '1e+300 s since 1970' });
    expect(clampedTime([NaN, 0])).toEqual({ iso: '1970-01-01T00:00:00.000000Z' });
  });
});

describe('translateSpan: times and parents Opper cannot store as they are', () => {
  it('sends a time after year 9999 or before year 1 as the bound, with the original in meta', () => {
    const { create, update } = translate({ startTime: YEAR_MINUS_50, endTime: YEAR_27954 });
    expect(create.start_time).toBe('0001-01-01T00:00:00.000000Z');
    expect(update.end_time).toBe('9999-12-31T23:59:59.999999Z');
    expect(create.meta['opper.clamped_time']).toEqual({
      start_time: '-000051-09-07T21:46:40.000000Z',
      end_time: '+027954-10-07T17:46:40.000000Z',
    });
  });

  it('sends an end before the start as the start (zero duration), with the original end in meta', () => {
    const { create, update } = translate({ startTime: [1710928800, 0], endTime: [1710928799, 500_000_000] });
    expect(update.end_time).toBe(create.start_time);
    expect(create.meta['opper.clamped_time']).toEqual({ end_time: '2024-03-20T09:59:59.500000Z' });
  });

  it('clamps event times too, and leaves spans with ordinary times byte-identical (no marker)', () => {
    const { create } = translate({ events: [{ name: 'far', time: YEAR_27954 }] });
    expect((create.meta['otel.events'] as { time: string }[])[0]!.time).toBe('9999-12-31T23:59:59.999999Z');
    expect(create.meta).not.toHaveProperty('opper.clamped_time');
  });

  it('sends a span whose parent id is invalid (not 16 lower-case hex) as a root', () => {
    for (const parentSpanId of ['NOT-HEX-AT-ALL!!', 'B7AD6B7169203331', 'abc'])
      expect(translate({ parentSpanId }).create).not.toHaveProperty('parent_id');
  });

  it('sends a span that names itself as its parent as a root, not a self-loop', () => {
    for (const fields of [{ parentSpanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 } }, { parentSpanId: SPAN_ID }]) {
      const translated = translateSpan(makeSpan(fields), OPTIONS);
      expect(translated.parentId).toBeUndefined();
      expect(parse(translated).create).not.toHaveProperty('parent_id');
    }
  });
});

describe('through the exporter to the strict local Opper', () => {
  let opper: LocalOpper | undefined;
  afterEach(async () => {
    await opper?.close();
    opper = undefined;
  });

  it('stores all three hand-built spans, each with one create and one PATCH', async () => {
    opper = await startLocalOpper();
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey });
    const spans = [
      makeSpan({ name: 'far future', spanId: '1000000000000001', endTime: YEAR_27954 }),
      makeSpan({ name: 'ends first', spanId: '1000000000000002', startTime: [1710928800, 0], endTime: [1710928700, 0] }),
      makeSpan({ name: 'own parent', spanId: '1000000000000003', parentSpanId: '1000000000000003' }),
    ];
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(opper.violations).toEqual([]);
    expect([...opper.spans.values()].map((span) => [span.name, span.parent_id, span.end_time! >= span.start_time!]).sort()).toEqual([
      ['ends first', null, true],
      ['far future', null, true],
      ['own parent', null, true],
    ]);
    expect(opper.requests).toHaveLength(6);
    expect(exporter.getStats()).toMatchObject({ spansExported: 3, spansFailed: 0, spansDropped: 0 });
    await exporter.shutdown();
  });
});
