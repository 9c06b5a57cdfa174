// The worker transport's own trap: its worker dies. The spans it held go to a new worker, or are
// counted as failed, never lost silently. A real SDK, a real worker, real HTTP over loopback.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Worker } from 'node:worker_threads';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { WarningCode } from '../../src/index.js';
import { opperId, startHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The exporter's live worker: the engine's own business, reached into here only to kill it. */
function workerOf(h: Harness): Worker {
  const worker = (h.exporter as unknown as { sender: { worker?: Worker } }).sender.worker;
  if (worker === undefined) throw new Error('no worker running');
  return worker;
}

/** Resolves once the server has seen `count` requests (bounded: 100 polls). */
async function requestsSeen(h: Harness, count: number): Promise<void> {
  for (let i = 0; i < 100 && h.opper.requests.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(h.opper.requests.length).toBeGreaterThanOrEqual(count);
}

function endSpans(h: Harness, count: number) {
  for (let i = 0; i < count; i++) h.tracer.startSpan(`span ${i}`).end();
  return h.ended();
}

/** Five spans exported while the server hangs: resolves once their first request is in the worker. */
async function exportWhileHanging(h: Harness) {
  const spans = endSpans(h, 5);
  h.opper.inject({ hang: true });
  const result = new Promise<ExportResult>((resolve) => h.exporter.export(spans, resolve));
  await requestsSeen(h, 1);
  return { spans, result };
}

describe('the worker', () => {
  it('is started before the first export, so its start-up is not paid out of that deadline', async () => {
    harness = await startHarness({ exporter: { transport: 'worker' }, batch: false });
    const h = harness;
    const sender = (h.exporter as unknown as { sender: { worker?: Worker } }).sender;
    for (let i = 0; i < 100 && sender.worker === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sender.worker).toBeDefined();
    expect(h.opper.requests).toHaveLength(0); // no export yet
  });
});

describe('a worker that dies', () => {
  it('hands the spans it held to a new worker, which delivers them, and warns once', async () => {
    harness = await startHarness({ exporter: { transport: 'worker' }, batch: false });
    const h = harness;
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { spans, result } = await exportWhileHanging(h);
      h.opper.clearFaults();
      await workerOf(h).terminate();
      expect((await result).code).toBe(ExportResultCode.SUCCESS);
      for (const span of spans) expect(h.opper.spans.get(opperId(span))?.name).toBe(span.name);
      expect(h.opper.violations).toEqual([]);
      expect(h.exporter.getStats()).toMatchObject({ spansExported: 5, spansFailed: 0, spansDropped: 0 });
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/delivery worker stopped/), {
        code: WarningCode.WorkerStopped,
        type: 'OpperExporterWarning',
      });
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('fails and counts a batch whose second worker dies too, and goes on with a third', async () => {
    harness = await startHarness({ exporter: { transport: 'worker' }, batch: false });
    const h = harness;
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { spans, result } = await exportWhileHanging(h);
      await workerOf(h).terminate();
      await requestsSeen(h, 2); // sent again by the second worker, hanging too
      await workerOf(h).terminate();
      const failed = await result;
      expect(failed.code).toBe(ExportResultCode.FAILED);
      expect(failed.error?.message).toMatch(/5 of 5 span\(s\) not exported \(5 failed, 0 dropped\).*delivery worker stopped/);
      expect(h.exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 5 });
      // The next export gets a third worker.
      h.opper.clearFaults();
      const next = await new Promise<ExportResult>((resolve) => h.exporter.export(spans, resolve));
      expect(next.code).toBe(ExportResultCode.SUCCESS);
      expect(h.opper.spans.size).toBe(5);
      expect(h.exporter.getStats().spansExported).toBe(5);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('span data that cannot be copied to the worker', () => {
  it('is translated on the app thread instead, and delivered', async () => {
    harness = await startHarness({ exporter: { transport: 'worker' }, batch: false });
    const h = harness;
    const [span] = endSpans(h, 1);
    // Not a legal attribute value (the SDK would drop it), but a hand-made span may carry one.
    const odd = Object.create(span!, { attributes: { value: { ...span!.attributes, callback: () => 1 } } });
    const result = await new Promise<ExportResult>((resolve) => h.exporter.export([odd], resolve));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(h.opper.spans.get(opperId(span!))?.name).toBe('span 0');
    expect(h.opper.violations).toEqual([]);
  });
});
