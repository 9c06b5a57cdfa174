// The doors' self-metrics, read from a real @opentelemetry/sdk-metrics MeterProvider, with spans
// from a real SDK delivered over loopback to the local Opper (faults injected where a test says).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpperSpanExporter, OpperSpanProcessor } from '../src/index.js';
import { startLocalOpper, type LocalOpper } from '../src/testing/index.js';

/** A reader the test collects from when it wants, as a metrics pipeline would. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let opper: LocalOpper;
beforeAll(async () => {
  opper = await startLocalOpper();
});
afterAll(() => opper.close());
beforeEach(() => opper.reset());

function metering() {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  /** Every metric by name, its points as { attributes, value } (a histogram's value is its count). */
  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    const metrics = new Map<string, { attributes: Record<string, unknown>; value: number }[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      expect(scope.scope).toMatchObject({ name: 'opentelemetry-exporter-opper' });
      for (const metric of scope.metrics as MetricData[]) {
        const points = (metric.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]).map(({ attributes, value }) => ({
          attributes,
          value: metric.dataPointType === DataPointType.HISTOGRAM ? (value as { count: number }).count : (value as number),
        }));
        metrics.set(metric.descriptor.name, points);
      }
    }
    return metrics;
  };
  return { meterProvider, collect };
}

/** Sum of a metric's points by error.type ('ok' where there is none). */
function byErrorType(points: { attributes: Record<string, unknown>; value: number }[] | undefined) {
  const sums: Record<string, number> = {};
  for (const { attributes, value } of points ?? []) {
    const key = String(attributes['error.type'] ?? 'ok');
    sums[key] = (sums[key] ?? 0) + value;
  }
  return sums;
}

async function exportThrough(exporter: OpperSpanExporter, names: string[]) {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512 })] });
  const tracer = provider.getTracer('metrics-test');
  for (const name of names) tracer.startSpan(name).end();
  await provider.forceFlush().catch(() => undefined); // rejects when the export failed: that is the case under test
  await exporter.forceFlush();
  return provider;
}

describe('OpperSpanExporter with a meterProvider', () => {
  it('counts exported spans, one operation, and nothing left in flight', async () => {
    const { meterProvider, collect } = metering();
    const exporter = new OpperSpanExporter({ apiKey: opper.apiKey, baseUrl: opper.url, meterProvider });
    await exportThrough(exporter, ['a', 'b', 'c']);
    const metrics = await collect();
    const port = Number(new URL(opper.url).port);
    const component = {
      'otel.component.type': 'OpperSpanExporter',
      'otel.component.name': expect.stringMatching(/^OpperSpanExporter\/\d+$/),
      'server.address': '127.0.0.1',
      'server.port': port,
    };
    expect(metrics.get('otel.sdk.exporter.span.exported')).toEqual([{ attributes: component, value: 3 }]);
    expect(metrics.get('otel.sdk.exporter.span.inflight')).toEqual([{ attributes: component, value: 0 }]);
    expect(metrics.get('otel.sdk.exporter.operation.duration')).toEqual([{ attributes: component, value: 1 }]);
    await exporter.shutdown();
  });

  it('gives error.type "rejected" to a span Opper refused (422), the others count as exported', async () => {
    const { meterProvider, collect } = metering();
    const exporter = new OpperSpanExporter({ apiKey: opper.apiKey, baseUrl: opper.url, meterProvider });
    opper.inject({ match: { method: 'POST' }, status: 422, times: 1, body: { type: 'ValidationError', message: 'no', detail: null } });
    await exportThrough(exporter, ['a', 'b', 'c']);
    const metrics = await collect();
    expect(byErrorType(metrics.get('otel.sdk.exporter.span.exported'))).toEqual({ ok: 2, rejected: 1 });
    expect(byErrorType(metrics.get('otel.sdk.exporter.operation.duration'))).toEqual({ rejected: 1 });
    expect(byErrorType(metrics.get('otel.sdk.exporter.span.inflight'))).toEqual({ ok: 0 });
    await exporter.shutdown();
  });

  it('gives error.type "timeout" to spans still failing (503) at the export deadline, counted once', async () => {
    const { meterProvider, collect } = metering();
    const exporter = new OpperSpanExporter({ apiKey: opper.apiKey, baseUrl: opper.url, meterProvider, exportTimeoutMillis: 1000 });
    opper.inject({ status: 503 });
    await exportThrough(exporter, ['a', 'b']);
    const metrics = await collect();
    expect(opper.requests.length).toBeGreaterThan(2); // retried inside the one operation
    expect(byErrorType(metrics.get('otel.sdk.exporter.span.exported'))).toEqual({ timeout: 2 });
    expect(byErrorType(metrics.get('otel.sdk.exporter.operation.duration'))).toEqual({ timeout: 1 });
    await exporter.shutdown();
  });

  it('rejects a meterProvider that is not one', () => {
    expect(() => new OpperSpanExporter({ apiKey: 'k', meterProvider: {} as never })).toThrow(/meterProvider must be a MeterProvider/);
  });
});

describe('OpperSpanProcessor with a meterProvider', () => {
  it('counts processed and exported spans and reports its queue', async () => {
    const { meterProvider, collect } = metering();
    const processor = new OpperSpanProcessor({
      apiKey: opper.apiKey,
      baseUrl: opper.url,
      meterProvider,
      spanFilter: 'all',
      maxQueueSize: 500,
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    opper.inject({ match: { method: 'POST' }, status: 422, times: 1, body: { type: 'ValidationError', message: 'no', detail: null } });
    for (const name of ['a', 'b', 'c']) provider.getTracer('t').startSpan(name).end();
    await processor.forceFlush();
    const metrics = await collect();
    const component = {
      'otel.component.type': 'OpperSpanProcessor',
      'otel.component.name': expect.stringMatching(/^OpperSpanProcessor\/\d+$/),
    };
    expect(metrics.get('otel.sdk.processor.span.processed')).toEqual([{ attributes: component, value: 3 }]);
    expect(byErrorType(metrics.get('otel.sdk.exporter.span.exported'))).toEqual({ ok: 2, rejected: 1 });
    expect(metrics.get('otel.sdk.exporter.span.exported')![0]!.attributes).toMatchObject({ 'server.address': '127.0.0.1' });
    expect(metrics.get('otel.sdk.processor.span.queue.size')).toEqual([{ attributes: component, value: 0 }]);
    expect(metrics.get('otel.sdk.processor.span.queue.capacity')).toEqual([{ attributes: component, value: 500 }]);
    await provider.shutdown();
  });

  it('gives error.type "queue_full" to spans its full queue refused, and shows them queued', async () => {
    const { meterProvider, collect } = metering();
    const processor = new OpperSpanProcessor({
      apiKey: opper.apiKey,
      baseUrl: opper.url,
      meterProvider,
      spanFilter: 'all',
      live: false,
      maxQueueSize: 1,
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    for (const name of ['a', 'b', 'c']) provider.getTracer('t').startSpan(name).end();
    const queued = await collect(); // in the same turn: the first span waits, the others were refused
    expect(queued.get('otel.sdk.processor.span.queue.size')![0]!.value).toBe(1);
    expect(byErrorType(queued.get('otel.sdk.processor.span.processed'))).toEqual({ queue_full: 2 });
    await processor.forceFlush();
    expect(byErrorType((await collect()).get('otel.sdk.processor.span.processed'))).toEqual({ ok: 1, queue_full: 2 });
    await provider.shutdown();
  });
});
