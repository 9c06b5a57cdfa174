// OpperSpanProcessor's bounds in every state (issue 23): live spans inside maxQueueBytes, every
// span accounted at shutdown and nothing left running after it, no dangling parent. Real SDK, real
// HTTP to the local Opper; the exit of a process that does nothing else is run in plain node.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OpperSpanProcessor, type OpperProcessorOptions } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

let opper: LocalOpper;
let provider: BasicTracerProvider;
let processor: OpperSpanProcessor;
afterEach(async () => {
  await provider?.shutdown();
  await opper?.close();
});

async function start(options: OpperProcessorOptions = {}): Promise<Tracer> {
  opper = await startLocalOpper();
  processor = new OpperSpanProcessor({ baseUrl: opper.url, apiKey: opper.apiKey, ...options });
  provider = new BasicTracerProvider({ spanProcessors: [processor] });
  return provider.getTracer('app');
}
const under = (tracer: Tracer, name: string, parent: Span | undefined, attributes = {}) =>
  tracer.startSpan(name, { attributes }, parent ? trace.setSpan(context.active(), parent) : context.active());
const AI = { 'gen_ai.operation.name': 'chat' };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('OpperSpanProcessor bounds', () => {
  it('live outage, spans given 1 MB attributes at their end: queuedBytes stays within maxQueueBytes, the excess counted and warned once', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const maxQueueBytes = 4 * 1024 * 1024;
      const tracer = await start({ spanFilter: 'all', maxQueueBytes, exportTimeoutMillis: 500, timeoutMillis: 200, shutdownTimeoutMillis: 500 });
      opper.outage(600_000);
      const spans = Array.from({ length: 40 }, (_, i) => tracer.startSpan(`span ${i}`, { attributes: { 'opper.input': 'small' } }));
      await processor.forceFlush(); // the live creates are queued (and failing)
      let most = 0;
      const sample = setInterval(() => (most = Math.max(most, processor.getStats().queuedBytes)), 1);
      for (const span of spans) {
        span.setAttribute('opper.output', 'x'.repeat(1024 * 1024));
        span.end();
        await nextTurn(); // some ends meet their create waiting, others meet it in flight
      }
      await processor.forceFlush();
      clearInterval(sample);
      const stats = processor.getStats();
      expect(Math.max(most, stats.queuedBytes)).toBeLessThanOrEqual(maxQueueBytes);
      expect(stats.spansLost['queue-full']).toBeGreaterThan(0);
      expect(stats.queuedSpans + stats.spansLost['queue-full']!).toBe(40);
      const codes = emitWarning.mock.calls.map(([, options]) => (options as { code: string }).code);
      expect(codes.filter((code) => code === 'OPPER_EXPORTER_QUEUE_FULL')).toHaveLength(1);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('slow Opper (2 s per request), shutdownTimeoutMillis 1000, 500 spans: exported + lost = 500 when shutdown resolves, and nothing is sent after', async () => {
    const tracer = await start({ spanFilter: 'all', shutdownTimeoutMillis: 1000 });
    opper.inject({ delayMs: 2000 });
    for (let i = 0; i < 500; i++) tracer.startSpan(`span ${i}`).end();
    await nextTurn();
    await processor.shutdown();
    const { spansExported, spansLost } = processor.getStats();
    const lost = Object.values(spansLost).reduce((sum, count) => sum + count, 0);
    expect(spansExported + lost).toBe(500);
    const sent = opper.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 3000)); // past the delay, and a retry's first backoff
    expect(opper.requests.length).toBe(sent);
    expect(processor.getStats()).toMatchObject({ spansExported, spansLost, queuedSpans: 0, queuedBytes: 0 });
  });

  it('filter runs: no stored span names a parent that is not stored; the spans left out are counted', async () => {
    const tracer = await start({ exportTimeoutMillis: 30_000 });
    let filtered = 0;
    const plain = (name: string, parent: Span | undefined) => (filtered++, under(tracer, name, parent, { 'http.method': 'GET' }));
    // Fire-and-forget: an AI span started after its non-AI parent (and that one's parent) ended.
    const agent = under(tracer, 'agent', undefined, AI);
    const http = plain('GET /chat', agent);
    const server = plain('server', undefined);
    http.end();
    server.end();
    under(tracer, 'late llm', http, AI).end();
    under(tracer, 'orphan llm', server, AI).end();
    agent.end();
    // A 500-deep chain alternating AI and non-AI, each span started after its parent ended.
    let parent: Span | undefined;
    for (let depth = 0; depth < 500; depth++) {
      const span = depth % 2 === 0 ? under(tracer, `chain ${depth}`, parent, AI) : plain(`chain ${depth}`, parent);
      span.end();
      parent = span;
    }
    // Late AI attributes: a span refused at its start that is AI at its end, with children before and after.
    const step = plain('step', undefined);
    filtered--; // it is exported in the end
    const early = under(tracer, 'early llm', step, AI);
    early.end();
    step.setAttribute('gen_ai.operation.name', 'invoke_agent');
    step.end();
    under(tracer, 'after llm', step, AI).end();
    // Parents that never end: an AI one, a non-AI one under it, AI children below.
    const forever = under(tracer, 'forever agent', undefined, AI);
    const helper = under(tracer, 'forever helper', forever, { 'http.method': 'GET' });
    under(tracer, 'under forever', helper, AI).end();
    await processor.forceFlush();
    const { spansFiltered } = processor.getStats();
    await processor.shutdown(); // the running AI parent is sent as it is
    const stored = [...opper.spans.values()];
    expect(stored.length).toBe(3 + 250 + 3 + 2);
    const dangling = stored.filter((span) => span.parent_id !== null && !opper.spans.has(span.parent_id));
    expect(dangling.map((span) => span.name)).toEqual([]);
    expect(spansFiltered).toBe(filtered);
    expect(opper.violations).toEqual([]);
  });
});

describe('a process that does nothing but shut down', () => {
  const run = promisify(execFile);
  const fixture = fileURLToPath(new URL('../fixtures/shutdown-exit.mjs', import.meta.url));

  it.each(['inline', 'worker'])('%s transport: every span accounted when shutdown resolves, nothing left that keeps the process alive, and it exits by itself', async (transport) => {
    opper = await startLocalOpper();
    opper.inject({ delayMs: 2000 });
    const { stdout } = await run(process.execPath, [fixture, transport], {
      env: { ...process.env, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey },
      timeout: 60_000, // generous: it exits by itself or fails here
    });
    const [result, ...after] = stdout.trim().split('\n').map((line) => JSON.parse(line) as { accounted: number; resources: string[] });
    expect(after).toEqual([]); // not `stillAlive`: it ended by itself long before
    // Only what a bare process holds (its stdout, say) is left once shutdown resolved.
    expect(result.resources.filter((resource) => !['TTYWrap', 'PipeWrap', 'FSReqCallback'].includes(resource))).toEqual([]);
    expect(result.accounted).toBe(500);
  });
});
