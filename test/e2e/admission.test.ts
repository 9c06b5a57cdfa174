// A burst past maxPendingSpans while Opper is healthy: exports wait for room instead of failing,
// through a real SDK whose shutdown starts every queued batch at once.
import { afterEach, describe, expect, it } from '@jest/globals';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { until } from '../testing/helpers.js';
import { opperId, startHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function exportOnce(h: Harness, spans = h.ended()): Promise<ExportResult> {
  return new Promise((resolve) => h.exporter.export(spans, resolve));
}

describe('a burst past maxPendingSpans while Opper is healthy', () => {
  // The field report: 20,000 spans, 40 batches of 512 started at once, default maxPendingSpans
  // (4096): 15,392 refused in 103 ms while Opper answered in 20 ms. The same shape, scaled down to
  // stay fast: 4 batches started at once, room for one.
  it('stores every span once when provider.shutdown() starts every queued batch at once, and resolves', async () => {
    harness = await startHarness({
      exporter: { maxPendingSpans: 128, exportTimeoutMillis: 25_000 },
      batch: { maxQueueSize: 4096, maxExportBatchSize: 128, scheduledDelayMillis: 60_000 },
    });
    const { opper, exporter, provider, tracer } = harness;
    for (let i = 0; i < 512; i++) tracer.startSpan(`burst ${i}`).end();
    const ended = harness.ended(); // the provider's shutdown clears this record

    // The SDK's shutdown flushes every queued batch at once, then shuts the exporter down; it
    // rejects at the first failed batch and then skips the exporter's shutdown.
    await expect(provider.shutdown()).resolves.toBeUndefined();

    expect(ended).toHaveLength(512);
    expect(opper.spans.size).toBe(512);
    expect(ended.filter((span) => opper.creates(opperId(span)) !== 1)).toEqual([]);
    expect(exporter.getStats()).toMatchObject({ spansExported: 512, spansFailed: 0, spansDropped: 0 });
    expect(opper.violations).toEqual([]);
  });

  it('waits for room in order and translates a waiting export only once it is admitted', async () => {
    const masked: string[] = [];
    const mask = (value: string) => {
      masked.push(value);
      return value;
    };
    harness = await startHarness({ exporter: { maxPendingSpans: 10, mask }, batch: false });
    const { opper, exporter, tracer } = harness;
    for (let i = 0; i < 30; i++) tracer.startSpan(`span ${i}`, { attributes: { 'app.batch': `batch ${Math.floor(i / 10)}` } }).end();
    const ended = harness.ended();
    opper.inject({ delayMs: 300, times: 1 }); // the first export is still in flight when the others start
    const exports = [0, 10, 20].map((start) => exportOnce(harness!, ended.slice(start, start + 10)));
    await until(() => opper.requests.length > 0, 'the first request');
    expect(new Set(masked.filter((value) => value.startsWith('batch ')))).toEqual(new Set(['batch 0'])); // the waiting exports hold spans, not bodies

    const results = await Promise.all(exports);
    expect(results.map((result) => result.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    expect(opper.spans.size).toBe(30);
    // Never more than maxPendingSpans in flight: each export's creates start after the one before ended.
    const firstCreate = (start: number) => opper.requests.findIndex((r) => r.method === 'POST' && r.spanId === opperId(ended[start]!));
    const lastPatch = (start: number) =>
      Math.max(
        ...ended
          .slice(start, start + 10)
          .map((span) => opper.requests.findLastIndex((r) => r.method === 'PATCH' && r.spanId === opperId(span))),
      );
    expect(firstCreate(10)).toBeGreaterThan(lastPatch(0));
    expect(firstCreate(20)).toBeGreaterThan(lastPatch(10));
    expect(exporter.getStats()).toMatchObject({ spansExported: 30, spansDropped: 0 });
  });
});
