// Spans whose create landed and whose PATCH did not: their PATCH is kept and retried, so that
// Opper does not show them started and never ended. Real SDK, real loopback HTTP.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { WarningCode } from '../../src/index.js';
import { until } from '../testing/helpers.js';
import { micros, opperId, startHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  jest.restoreAllMocks();
});

function exportOnce(h: Harness, spans = h.ended()): Promise<ExportResult> {
  return new Promise((resolve) => h.exporter.export(spans, resolve));
}

/** Every ended span stored once; `ended` of them with their end time, the rest without any. */
function expectEnds(h: Harness, spans: ReturnType<Harness['ended']>): void {
  expect(h.opper.spans.size).toBe(spans.length);
  for (const span of spans) {
    expect(h.opper.creates(opperId(span))).toBe(1);
    expect(h.opper.spans.get(opperId(span))?.end_time).toBe(micros(span.endTime));
  }
  expect(h.opper.violations.filter((v) => v.rule !== 'patch-unknown-span')).toEqual([]);
}

const patches = (h: Harness) => h.opper.requests.filter((r) => r.method === 'PATCH');

// The export deadline of the tests whose PATCHes fail (503) or hang past it while their creates
// land. It must cover the creates, whose time is the local Opper's and this process's (the key
// probe goes alone, then the rest), which a loaded machine stretches past 1 s; the tests assert
// what happens to the PATCHes that outlive it, never how long it is.
const DEADLINE = 4000;
// Waits for a state the exporter reaches by itself after that deadline (not asserted either).
const SETTLE_MS = 30_000;

describe('a PATCH that misses its export', () => {
  it('is kept while every PATCH fails past the deadline, and lands on its own once Opper recovers', async () => {
    harness = await startHarness({ exporter: { exportTimeoutMillis: DEADLINE }, batch: false });
    const { opper, exporter, tracer } = harness;
    opper.inject({ match: { method: 'PATCH' }, status: 503 });
    for (let i = 0; i < 6; i++) tracer.startSpan(`span ${i}`).end();
    const first = harness.ended();

    // Every create landed; the PATCHes are kept, so the export is a success and nothing is lost.
    expect((await exportOnce(harness)).code).toBe(ExportResultCode.SUCCESS);
    expect(opper.spans.size).toBe(6);
    expect([...opper.spans.values()].every((span) => span.end_time === null)).toBe(true);
    expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 0, spansDropped: 0, patchesPending: 6 });

    opper.clearFaults(); // Opper is back: the kept PATCHes go out without a flush
    // Bounded wait: the shared backoff after the failures is at most 5 s.
    await until(() => exporter.getStats().patchesPending === 0, 'the kept PATCHes', 15_000);
    expectEnds(harness, first);
    expect(exporter.getStats()).toMatchObject({
      spansExported: 6,
      spansFailed: 0,
      patchesPending: 0,
      patchesCompleted: 6,
      patchesGivenUp: 0,
    });

    // Later exports go on as usual.
    for (let i = 0; i < 3; i++) tracer.startSpan(`later ${i}`).end();
    expect((await exportOnce(harness, harness.ended().slice(6))).code).toBe(ExportResultCode.SUCCESS);
    expectEnds(harness, harness.ended());
    expect(exporter.getStats()).toMatchObject({ spansExported: 9, patchesPending: 0 });
  });

  it('is completed by provider.shutdown() after it hung past the deadline, inside a BatchSpanProcessor', async () => {
    harness = await startHarness({ exporter: { exportTimeoutMillis: DEADLINE } });
    const { opper, exporter, provider, tracer } = harness;
    opper.inject({ match: { method: 'PATCH' }, hang: true, times: 5 }); // Opper is slow, then fine
    for (let i = 0; i < 5; i++) tracer.startSpan(`span ${i}`).end();
    const ended = harness.ended(); // the provider's shutdown clears this record
    // The BatchSpanProcessor's export: creates landed, PATCHes hung past its deadline.
    await until(() => exporter.getStats().patchesPending === 5, 'five pending PATCHes', SETTLE_MS);
    expect(opper.spans.size).toBe(5);
    expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 0 });

    await expect(provider.shutdown()).resolves.toBeUndefined();
    expectEnds(harness, ended);
    expect(patches(harness)).toHaveLength(10); // the 5 that hung, then one each
    expect(exporter.getStats()).toMatchObject({
      spansExported: 5,
      spansFailed: 0,
      patchesPending: 0,
      patchesCompleted: 5,
      patchesGivenUp: 0,
    });
  });

  it('keeps at most 8 MiB of PATCHes, and counts and warns the ones given up', async () => {
    const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const givenUpWarnings = () =>
      warnings.mock.calls.filter(([, options]) => (options as { code?: string }).code === WarningCode.PatchesGivenUp);
    // Hung PATCHes fail nothing before the deadline, so the creates are not held up by a backoff.
    harness = await startHarness({ exporter: { exportTimeoutMillis: 4000, concurrency: 64, maxBodyBytes: 1024 * 1024 }, batch: false });
    const { opper, exporter, tracer } = harness;
    opper.inject({ match: { method: 'PATCH' }, hang: true });
    const output = 'o'.repeat(400_000); // the PATCH carries the output: 21 of them pass 8 MiB
    for (let i = 0; i < 30; i++) tracer.startSpan(`span ${i}`, { attributes: { 'opper.output': output } }).end();

    const result = await exportOnce(harness);
    const landed = opper.spans.size; // creates that landed before the deadline (all, unless the machine is very busy)
    expect(landed).toBeGreaterThan(20);
    // 20 PATCHes fit in 8 MiB; the others are given up at once, counted, warned and reported.
    expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 10, patchesPending: 20, patchesGivenUp: landed - 20 });
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(new RegExp(`${landed - 20} whose create landed but whose PATCH could not be kept`));
    expect(givenUpWarnings()).toHaveLength(1);
    expect(String(givenUpWarnings()[0]![0])).toMatch(
      /the end \(PATCH\) of 1 span\(s\) given up: 2048 PATCHes \(or 8 MiB\) are already pending/,
    );

    opper.clearFaults();
    // Bounded wait: after a run of failures the shared backoff is at most 5 s.
    await until(() => exporter.getStats().patchesPending === 0, 'the kept PATCHes', 20_000);
    expect([...opper.spans.values()].filter((span) => span.end_time !== null)).toHaveLength(20);
    expect(exporter.getStats()).toMatchObject({
      spansExported: 20,
      spansFailed: 10,
      patchesPending: 0,
      patchesCompleted: 20,
      patchesGivenUp: landed - 20,
    });
    expect(givenUpWarnings()).toHaveLength(1);
  });

  it('gives up what is still pending at shutdown while Opper is down, counted and warned', async () => {
    const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    harness = await startHarness({ exporter: { exportTimeoutMillis: DEADLINE }, batch: false });
    const { opper, exporter, tracer } = harness;
    opper.inject({ match: { method: 'PATCH' }, status: 503 });
    for (let i = 0; i < 3; i++) tracer.startSpan(`span ${i}`).end();
    expect((await exportOnce(harness)).code).toBe(ExportResultCode.SUCCESS);
    await until(() => exporter.getStats().patchesPending === 3, 'three pending PATCHes', SETTLE_MS);

    await exporter.shutdown(); // resolves, though nothing could be completed
    expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 3, patchesPending: 0, patchesGivenUp: 3 });
    const given = warnings.mock.calls.filter(([, options]) => (options as { code?: string }).code === WarningCode.PatchesGivenUp);
    expect(String(given[0]?.[0])).toMatch(/3 span\(s\) given up: still pending when the exporter shut down/);
  });
});
