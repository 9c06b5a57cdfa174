// Issue 10 item 9: a span context with an all-zero (or malformed) id is not exported by any door:
// before, three such spans became one Opper span under the nil UUID and all three counted as exported.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { BasicTracerProvider, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OpperSpanExporter, OpperSpanProcessor, WarningCode } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

/** Ids as the SDK asks for them: all zero while `zero` is set, random-looking otherwise. */
function ids(): IdGenerator & { zero: boolean } {
  let n = 0;
  const hex = (length: number) => (++n).toString(16).padStart(length, 'a');
  const generator = {
    zero: true,
    generateTraceId: () => (generator.zero ? '0'.repeat(32) : hex(32)),
    generateSpanId: () => (generator.zero ? '0'.repeat(16) : hex(16)),
  };
  return generator;
}

let opper: LocalOpper | undefined;
let provider: BasicTracerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  await opper?.close();
  provider = opper = undefined;
});

function warningsOf(spy: jest.SpiedFunction<typeof process.emitWarning>): unknown[] {
  return spy.mock.calls.map((call) => (call[1] as { code?: string } | undefined)?.code);
}

describe('spans with an invalid span context', () => {
  it('the exporter sends none of them, counts them dropped, fails the export and warns once', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      opper = await startLocalOpper();
      const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey });
      const generator = ids();
      const recorded: Parameters<OpperSpanExporter['export']>[0] = [];
      provider = new BasicTracerProvider({
        idGenerator: generator,
        spanProcessors: [
          {
            onStart: () => undefined,
            onEnd: (s) => void recorded.push(s),
            forceFlush: async () => undefined,
            shutdown: async () => undefined,
          },
        ],
      });
      const tracer = provider.getTracer('app');
      for (const name of ['zero 1', 'zero 2', 'zero 3']) tracer.startSpan(name).end();
      generator.zero = false;
      tracer.startSpan('valid').end();
      const upper = { ...recorded[3]!, name: 'upper', spanContext: () => ({ ...recorded[3]!.spanContext(), spanId: 'ABCDEF0123456789' }) };
      const result = await new Promise<ExportResult>((resolve) => exporter.export([...recorded, upper as never], resolve));
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(String(result.error)).toMatch(/4 of 5 span\(s\) not exported \(0 failed, 4 dropped\).*invalid span context/);
      expect([...opper.spans.values()].map((span) => span.name)).toEqual(['valid']);
      expect(opper.requests).toHaveLength(2);
      expect(exporter.getStats()).toMatchObject({ spansExported: 1, spansDropped: 4, spansFailed: 0, requests: 2 });
      expect(warningsOf(emitWarning)).toEqual([WarningCode.InvalidSpanContext]);
      await exporter.shutdown();
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('the processor exports none of them, counts them dropped and warns once', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      opper = await startLocalOpper();
      const processor = new OpperSpanProcessor({ baseUrl: opper.url, apiKey: opper.apiKey, spanFilter: 'all' });
      const generator = ids();
      provider = new BasicTracerProvider({ idGenerator: generator, spanProcessors: [processor] });
      const tracer = provider.getTracer('app');
      const spans = ['zero 1', 'zero 2', 'zero 3'].map((name) => tracer.startSpan(name));
      generator.zero = false;
      const valid = tracer.startSpan('valid');
      for (const span of [...spans, valid]) span.end();
      await processor.forceFlush();
      expect([...opper.spans.values()].map((span) => span.name)).toEqual(['valid']);
      expect(opper.violations).toEqual([]);
      expect(processor.getStats()).toMatchObject({ spansExported: 1, spansDropped: 3, spansFailed: 0 });
      expect(warningsOf(emitWarning)).toEqual([WarningCode.InvalidSpanContext]);
    } finally {
      emitWarning.mockRestore();
    }
  });
});
