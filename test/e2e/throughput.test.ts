// Keeping up over a real network's latency (issue 20): the requests in flight follow the load and
// Opper's answers, and falling behind is said. A real SDK, real HTTP to the local Opper with its
// delay and concurrency-limit faults; outcomes are counted, never timed.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpperSpanExporter, OpperSpanProcessor, WarningCode } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

let opper: LocalOpper;
let warnings: Array<{ code: string; message: string }> = [];

beforeEach(async () => {
  opper = await startLocalOpper();
  warnings = [];
  jest.spyOn(process, 'emitWarning').mockImplementation(((message: string, options?: { code?: string }) => {
    warnings.push({ code: options?.code ?? '', message });
  }) as typeof process.emitWarning);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await opper.close();
});

/** Ends `count` root spans through `processor`, `perTick` every 10 ms (a steady rate). */
async function offer(processor: SpanProcessor, count: number, perTick: number): Promise<BasicTracerProvider> {
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('throughput');
  for (let ended = 0; ended < count; ) {
    for (let i = 0; i < perTick && ended < count; i++, ended++) tracer.startSpan(`GET /orders/${ended}`).end();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return provider;
}

const ended = (spans: LocalOpper['spans']) => [...spans.values()].filter((span) => span.end_time !== null).length;
const share429 = () => opper.requests.filter((request) => request.status === 429).length / opper.requests.length;

describe('requests in flight', () => {
  it('grow past the old fixed 32 when Opper is slow, so that a burst is delivered whole', async () => {
    opper.inject({ delayMs: 100 });
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey });
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 4096, maxExportBatchSize: 512, scheduledDelayMillis: 10 });
    const provider = await offer(processor, 2000, 500);
    await provider.shutdown();
    expect(ended(opper.spans)).toBe(2000);
    expect([...opper.spans.keys()].filter((id) => opper.creates(id) !== 1)).toEqual([]);
    expect(opper.maxConcurrentRequests).toBeGreaterThan(32);
    expect(exporter.getStats()).toMatchObject({ spansExported: 2000, requestsPushedBack: 0 });
    expect(warnings).toEqual([]);
  });

  it('back off when Opper serves 24 at once and answers 429 past it: at most a quarter get 429, nothing lost', async () => {
    opper.inject({ delayMs: 50 });
    opper.limitConcurrency(24, { retryAfter: 0 });
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey });
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 4096, maxExportBatchSize: 256, scheduledDelayMillis: 10 });
    const provider = await offer(processor, 1500, 50);
    await provider.shutdown();
    expect(ended(opper.spans)).toBe(1500);
    expect(share429()).toBeGreaterThan(0);
    expect(share429()).toBeLessThanOrEqual(0.25);
    expect(exporter.getStats().requestsPushedBack).toBeGreaterThan(0);
  });

  it('a fixed concurrency stays what it was set to', async () => {
    opper.inject({ delayMs: 50 });
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey, concurrency: 8 });
    const provider = await offer(new BatchSpanProcessor(exporter, { maxQueueSize: 4096, scheduledDelayMillis: 10 }), 400, 400);
    await provider.shutdown();
    expect(ended(opper.spans)).toBe(400);
    expect(opper.maxConcurrentRequests).toBeLessThanOrEqual(8);
    expect(exporter.getStats().concurrency).toBe(8);
  });
});

describe('falling behind', () => {
  // Opper takes about 8 / (2 × 50 ms) = 80 spans/s; 300/s are offered for 6 s.
  beforeEach(() => {
    opper.inject({ delayMs: 50 });
    opper.limitConcurrency(8, { retryAfter: 0 });
  });

  it('is said once, with the rates, by OpperSpanProcessor', async () => {
    const processor = new OpperSpanProcessor({ baseUrl: opper.url, apiKey: opper.apiKey, spanFilter: 'all', shutdownTimeoutMillis: 500 });
    const provider = await offer(processor, 1800, 3);
    const stats = processor.getStats();
    await provider.shutdown();
    const behind = warnings.filter((warning) => warning.code === WarningCode.FallingBehind);
    expect(behind).toEqual([
      {
        code: WarningCode.FallingBehind,
        message: expect.stringMatching(
          /^OpperSpanProcessor: spans arrive faster than Opper accepts them: about \d+ spans\/s offered, \d+ delivered .*Opper is limiting the rate/,
        ),
      },
    ]);
    expect(stats.fallingBehind).toBeGreaterThan(0);
  });

  it('is said by OpperSpanExporter when the BatchSpanProcessor in front hands over full batches back to back', async () => {
    // Every export succeeds, only more slowly than spans end (8 requests of 400 ms: 10 spans/s), and
    // Opper never pushes back: only the processor's queue, which the exporter cannot see, grows.
    opper.clearFaults();
    opper.inject({ delayMs: 400 });
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey, concurrency: 8 });
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 4096, maxExportBatchSize: 64, scheduledDelayMillis: 10 });
    const provider = await offer(processor, 2700, 3); // 9 s: its oldest spans come to wait over 5 s
    const stats = exporter.getStats();
    opper.clearFaults(); // so that shutdown drains the queue at once
    await provider.shutdown();
    const behind = warnings.filter((warning) => warning.code === WarningCode.FallingBehind);
    expect(behind).toHaveLength(1);
    expect(behind[0]!.message).toMatch(
      /^OpperSpanExporter: spans arrive faster than Opper accepts them: .*the span processor in front hands over full batches back to back/,
    );
    expect(stats.fallingBehind).toBeGreaterThan(0);
  });
});
