import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OpperSpanExporter, WarningCode } from '../../src/index.js';
import { startLocalOpper } from '../../src/testing/index.js';
import { childOf, micros, opperId, startHarness, uuid, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Calls export() directly and resolves with every result it reported (there must be one). */
function exportAll(exporter: OpperSpanExporter, spans: Parameters<OpperSpanExporter['export']>[0]) {
  const results: ExportResult[] = [];
  return new Promise<ExportResult[]>((resolve) => {
    exporter.export(spans, (result) => {
      results.push(result);
      setTimeout(() => resolve(results), 20); // catches a second call, were there one
    });
  });
}

describe('delivery through a real SDK and BatchSpanProcessor', () => {
  it('stores one Opper span per OTel span, linked, with exact times and no violations', async () => {
    harness = await startHarness();
    const { tracer, opper } = harness;
    const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } });
    const child = childOf(tracer, 'load orders', root);
    const grandchild = childOf(tracer, 'SELECT orders', child);
    grandchild.setAttribute('db.system.name', 'postgresql');
    grandchild.end();
    child.end();
    root.end();
    await harness.flush();

    const ended = harness.ended();
    expect(ended).toHaveLength(3);
    expect(opper.spans.size).toBe(3);
    const byName = new Map(ended.map((span) => [span.name, span]));
    for (const span of ended) {
      const stored = opper.spans.get(opperId(span));
      expect(stored).toMatchObject({
        name: span.name,
        trace_id: uuid(span.spanContext().traceId),
        start_time: micros(span.startTime),
        end_time: micros(span.endTime),
      });
      expect(opper.creates(opperId(span))).toBe(1);
      expect(opper.patches(opperId(span))).toBe(1);
    }
    const idOf = (name: string) => opperId(byName.get(name)!);
    expect(opper.spans.get(idOf('GET /orders'))).toMatchObject({ parent_id: null, type: 'http' });
    expect(opper.spans.get(idOf('load orders'))).toMatchObject({ parent_id: idOf('GET /orders'), type: 'internal' });
    expect(opper.spans.get(idOf('SELECT orders'))).toMatchObject({ parent_id: idOf('load orders'), type: 'db' });
    expect(opper.violations).toEqual([]);

    // Children ended first, yet each create follows its parent's, and each PATCH its own create.
    const at = (method: string, name: string) =>
      opper.requests.findIndex((r) => r.method === method && r.spanId === idOf(name) && r.status === 200);
    expect(at('POST', 'GET /orders')).toBeLessThan(at('POST', 'load orders'));
    expect(at('POST', 'load orders')).toBeLessThan(at('POST', 'SELECT orders'));
    for (const name of byName.keys()) {
      expect(at('POST', name)).toBeGreaterThanOrEqual(0);
      expect(at('POST', name)).toBeLessThan(at('PATCH', name));
    }
    expect(opper.requests).toHaveLength(6);
  });

  it('maps status, exceptions, score, GenAI messages and resource into the stored span', async () => {
    harness = await startHarness();
    const { tracer, opper } = harness;
    const failed = tracer.startSpan('book hotel');
    failed.recordException(new TypeError('no rooms left'));
    failed.setStatus({ code: SpanStatusCode.ERROR, message: 'booking failed' });
    failed.setAttributes({ 'opper.score': 7.6, 'app.attempt': 2 });
    failed.end();
    const llm = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT });
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
    llm.setAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.input.messages': messages,
      'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}]}]',
    });
    llm.end();
    await harness.flush();

    const [failedSpan, llmSpan] = harness.ended();
    expect(opper.spans.get(opperId(failedSpan!))).toMatchObject({
      error: 'TypeError: no rooms left',
      score: 8,
      type: 'internal',
      meta: expect.objectContaining({
        'app.attempt': 2,
        'otel.status_code': 'ERROR',
        'otel.status_message': 'booking failed',
        'otel.scope.name': 'e2e-tracer',
        'otel.scope.version': '1.2.3',
        resource: expect.objectContaining({ 'service.name': 'e2e' }),
      }),
    });
    const stored = opper.spans.get(opperId(llmSpan!));
    expect(stored).toMatchObject({ type: 'llm', input: messages, error: null, score: null });
    expect(JSON.parse(stored!.output as string)[0].parts[0].content).toBe('Hello!');
    expect(stored!.meta).not.toHaveProperty('gen_ai.input.messages');
    expect(opper.violations).toEqual([]);
  });

  it('calls back exactly once with SUCCESS, and forceFlush waits until the server has every span', async () => {
    harness = await startHarness();
    const { tracer, opper, exporter } = harness;
    opper.inject({ delayMs: 50 });
    const spans = ['a', 'b', 'c'].map((name) => tracer.startSpan(name));
    for (const span of spans) span.end();
    const ended = harness.ended();
    const results: ExportResult[] = [];
    exporter.export(ended.slice(0, 2), (result) => results.push(result));
    exporter.export(ended.slice(2), (result) => results.push(result));
    expect(opper.spans.size).toBe(0);
    await exporter.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 50)); // a second callback would show by now
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    for (const span of ended) expect(opper.spans.get(opperId(span))?.end_time).toBe(micros(span.endTime));
  });

  it('shares the concurrency bound between concurrent exports', async () => {
    harness = await startHarness({ exporter: { concurrency: 3 } });
    const { tracer, opper, exporter } = harness;
    opper.inject({ delayMs: 30 });
    for (let i = 0; i < 24; i++) tracer.startSpan(`span ${i}`).end();
    const ended = harness.ended();
    const exports = [0, 8, 16].map((start) => exportAll(exporter, ended.slice(start, start + 8)));
    const results = (await Promise.all(exports)).flat();
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(opper.spans.size).toBe(24);
    expect(opper.maxConcurrentRequests).toBe(3);
  });

  it('after shutdown, fails every export at once without a request', async () => {
    harness = await startHarness();
    const { tracer, opper, exporter } = harness;
    tracer.startSpan('late').end();
    await harness.flush();
    await exporter.shutdown();
    const before = opper.requests.length;
    const results = await exportAll(exporter, harness.ended());
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ code: ExportResultCode.FAILED });
    expect(results[0]!.error?.message).toMatch(/shut down/);
    expect(opper.requests.length).toBe(before);
    expect(exporter.getStats().spansDropped).toBe(1);
  });
});

describe('without an API key', () => {
  it('warns once with a code, sends nothing, and fails exports at once', async () => {
    const opper = await startLocalOpper();
    const saved = process.env.OPPER_API_KEY;
    delete process.env.OPPER_API_KEY;
    // Jest's sandboxed `process` does not receive 'warning' events, so watch the call itself.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const exporter = new OpperSpanExporter({ baseUrl: opper.url });
      const results = await exportAll(exporter, []);
      await exportAll(exporter, []);
      expect(results).toEqual([expect.objectContaining({ code: ExportResultCode.FAILED })]);
      expect(results[0]!.error?.message).toMatch(/no API key/);
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/OPPER_API_KEY/), {
        code: WarningCode.MissingApiKey,
        type: 'OpperExporterWarning',
      });
      expect(opper.requests).toHaveLength(0);
    } finally {
      emitWarning.mockRestore();
      if (saved !== undefined) process.env.OPPER_API_KEY = saved;
      await opper.close();
    }
  });
});

describe('configuration the exporter accepts but warns about', () => {
  it('warns once when exportTimeoutMillis is above the span processor default of 30 s', () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      new OpperSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v2', exportTimeoutMillis: 60_000 });
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/exportTimeoutMillis is 60000 ms/), {
        code: 'OPPER_EXPORTER_EXPORT_TIMEOUT',
        type: 'OpperExporterWarning',
      });
    } finally {
      emitWarning.mockRestore();
    }
  });
});
