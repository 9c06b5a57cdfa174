// OpperSpanProcessor through a real SDK, over real HTTP to the local Opper.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OpperSpanProcessor, type OpperProcessorOptions } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

const uuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const idOf = (span: Span) => uuid(span.spanContext().spanId + span.spanContext().traceId.slice(16));

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
const child = (tracer: Tracer, name: string, parent: Span, attributes = {}) =>
  tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));

describe('OpperSpanProcessor', () => {
  it('live: a running span is in Opper before it ends, then gets its end state; two requests per span', async () => {
    const tracer = await start({ spanFilter: 'all' });
    const root = tracer.startSpan('agent run', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    const step = child(tracer, 'step', root);
    await opper.waitForSpans((spans) => spans.has(idOf(root)) && spans.has(idOf(step)));
    expect(opper.spans.get(idOf(root))).toMatchObject({ end_time: null, meta: expect.objectContaining({ 'opper.unfinished': 'running' }) });
    expect(opper.spans.get(idOf(step))).toMatchObject({ parent_id: idOf(root), end_time: null });
    step.setAttribute('opper.output', 'done');
    step.end();
    root.end();
    await processor.forceFlush();
    expect(opper.spans.get(idOf(step))).toMatchObject({ parent_id: idOf(root), output: 'done', end_time: expect.any(String) });
    expect(opper.spans.get(idOf(root))!.end_time).not.toBeNull();
    expect(opper.spans.get(idOf(root))!.meta).not.toHaveProperty('opper.unfinished');
    expect(opper.requests).toHaveLength(4);
    expect(opper.violations).toEqual([]);
    expect(processor.getStats()).toMatchObject({ spansExported: 2, spansFailed: 0, spansDropped: 0, queuedSpans: 0 });
  });

  it("filter 'ai': only AI and opper.* spans, each linked to its nearest exported ancestor", async () => {
    const tracer = await start();
    const server = tracer.startSpan('GET /chat', { attributes: { 'http.request.method': 'GET' } });
    const agent = child(tracer, 'invoke_agent', server, { 'gen_ai.operation.name': 'invoke_agent' });
    const helper = child(tracer, 'format prompt', agent);
    const llm = child(tracer, 'chat gpt-4o', helper, { 'gen_ai.request.model': 'gpt-4o' });
    const tool = child(tracer, 'execute_tool', agent, { 'gen_ai.tool.name': 'weather' });
    const marked = child(tracer, 'my step', helper, { 'opper.type': 'step' });
    for (const span of [llm, tool, marked, helper, agent, server]) span.end();
    await processor.forceFlush();
    expect([...opper.spans.values()].map((s) => s.name).sort()).toEqual(['chat gpt-4o', 'execute_tool', 'invoke_agent', 'my step']);
    expect(opper.spans.get(idOf(agent))!.parent_id).toBeNull();
    for (const span of [llm, tool, marked]) expect(opper.spans.get(idOf(span))!.parent_id).toBe(idOf(agent));
    expect(opper.violations).toEqual([]);
  });

  it('mask: the secret never reaches Opper; a mask that throws redacts', async () => {
    const secret = 'sk-SECRET-123';
    const mask = (value: string) => {
      if (value.includes('THROW')) throw new Error('boom');
      return value.replaceAll(secret, '***');
    };
    const tracer = await start({ spanFilter: 'all', mask, live: false });
    const span = tracer.startSpan('llm', {
      attributes: {
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `key ${secret}` }] }]),
        'input.value': `OpenInference ${secret}`,
        'ai.prompt.messages': JSON.stringify([{ role: 'user', content: secret }]),
        'gen_ai.prompt.0.content': `traceloop ${secret}`,
        'app.note': `plain ${secret}`,
        'app.other': 'THROW me',
      },
    });
    span.recordException(new Error(`failed with ${secret}`));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    await processor.forceFlush();
    const stored = JSON.stringify([...opper.spans.values()]);
    expect(stored).not.toContain(secret);
    expect(stored).toContain('***');
    expect([...opper.spans.values()][0]!.meta).toMatchObject({ 'app.other': '[redacted: mask threw]' });
  });

  it('outage longer than the attempt deadline: every span is stored once after recovery, the queue stays bounded', async () => {
    const tracer = await start({ spanFilter: 'all', live: false, exportTimeoutMillis: 1000, timeoutMillis: 500 });
    opper.outage(4000);
    let maxQueued = 0;
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const span = tracer.startSpan(`step ${i}`);
      span.end();
      ids.push(idOf(span));
      maxQueued = Math.max(maxQueued, processor.getStats().queuedSpans);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await opper.waitForSpans((spans) => ids.every((id) => spans.get(id)?.end_time), 20_000);
    await processor.forceFlush();
    for (const id of ids) expect(opper.creates(id)).toBe(1);
    expect(maxQueued).toBeLessThanOrEqual(30);
    expect(processor.getStats()).toMatchObject({ spansExported: 30, spansFailed: 0, spansDropped: 0 });
    expect(opper.violations).toEqual([]);
  }, 30_000);

  it('shutdown: stores every queued span, one refused span does not stop the rest, never rejects', async () => {
    // A deadline that never binds, however loaded the machine: what is checked is the order.
    const tracer = await start({ spanFilter: 'all', live: false, shutdownTimeoutMillis: 3_600_000 });
    opper.inject({ match: { method: 'POST' }, status: 422, times: 1 });
    for (let i = 0; i < 500; i++) tracer.startSpan(`s${i}`).end();
    const running = tracer.startSpan('still running');
    await expect(processor.shutdown()).resolves.toBeUndefined();
    expect(opper.spans.size).toBe(500); // 499 ended + the running one, unfinished
    expect(opper.spans.get(idOf(running))).toMatchObject({
      end_time: null,
      meta: expect.objectContaining({ 'opper.unfinished': 'shutdown' }),
    });
    expect(processor.getStats()).toMatchObject({ spansExported: 499, spansLost: { rejected: 1 } });
  }, 60_000);

  it('live under faults: creates answered 503 and connections cut, every span ends up complete once', async () => {
    const tracer = await start({ spanFilter: 'all' });
    opper.inject({ match: { method: 'POST' }, status: 503, times: 3 });
    opper.inject({ match: { method: 'POST' }, drop: 'after', times: 2 });
    const spans = Array.from({ length: 10 }, (_, i) => tracer.startSpan(`live ${i}`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const span of spans) span.end();
    await processor.forceFlush();
    await opper.waitForSpans((stored) => spans.every((s) => stored.get(idOf(s))?.end_time));
    for (const span of spans) expect(opper.creates(idOf(span))).toBe(1);
    expect(opper.violations).toEqual([]);
  });

  // The two cases in one run (40,000 requests): Opper healthy but for one span it refuses.
  it('shutdown with 20,000 queued spans, one refused by Opper (422): resolves only once every other one is stored, no rejection', async () => {
    // A deadline that never binds, however loaded the machine: what is checked is the order.
    const tracer = await start({ spanFilter: 'all', live: false, maxQueueSize: 20_000, shutdownTimeoutMillis: 3_600_000 });
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const span = tracer.startSpan(`s${i}`);
      span.end();
      ids.push(idOf(span));
    }
    opper.inject({ match: { method: 'POST' }, status: 422, times: 1 });
    await expect(processor.shutdown()).resolves.toBeUndefined();
    // At the moment it resolves: every span but the refused one is stored, with its end.
    const missing = ids.filter((id) => opper.spans.get(id)?.end_time == null);
    expect(missing).toHaveLength(1);
    expect(opper.spans.size).toBe(19_999);
    expect(processor.getStats()).toMatchObject({
      spansExported: 19_999,
      spansFailed: 1,
      spansDropped: 0,
      queuedSpans: 0,
      spansLost: { rejected: 1 },
    });
  }, 300_000); // ~30 s of CPU: client and local Opper share this process (40,000 requests)

  it("exportMode 'immediate': spans go out with no forceFlush, and forceFlush per invocation delivers all that ended before it", async () => {
    const tracer = await start({ spanFilter: 'all', exportMode: 'immediate' });
    // Without any flush, an ended span reaches Opper.
    const first = tracer.startSpan('first');
    first.end();
    await opper.waitForSpans((spans) => spans.get(idOf(first))?.end_time != null);
    for (let invocation = 0; invocation < 3; invocation++) {
      const handler = tracer.startSpan(`invocation ${invocation}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
      const calls = [0, 1, 2].map((i) => child(tracer, `llm ${i}`, handler, { 'gen_ai.request.model': 'gpt-4o' }));
      for (const span of calls) span.end();
      handler.end();
      await processor.forceFlush(); // the per-invocation call: everything above is in Opper now
      for (const span of [handler, ...calls]) expect(opper.spans.get(idOf(span))?.end_time).toEqual(expect.any(String));
      for (const span of calls) expect(opper.spans.get(idOf(span))!.parent_id).toBe(idOf(handler));
      expect(processor.getStats()).toMatchObject({ queuedSpans: 0, liveSpans: 0 });
    }
    // A span still running at the flush is there too, live, and gets its end later.
    const running = tracer.startSpan('running');
    await processor.forceFlush();
    expect(opper.spans.get(idOf(running))).toMatchObject({
      end_time: null,
      meta: expect.objectContaining({ 'opper.unfinished': 'running' }),
    });
    running.end();
    await processor.forceFlush();
    expect(opper.spans.get(idOf(running))!.end_time).toEqual(expect.any(String));
    for (const id of opper.spans.keys()) expect([opper.creates(id), opper.patches(id)]).toEqual([1, 1]);
    expect(opper.violations).toEqual([]);
  });

  it('maxLiveSpans: past the cap spans are not live, still exported at their end with the right parent; liveSpans never exceeds it', async () => {
    const tracer = await start({ maxLiveSpans: 2 });
    const agent = tracer.startSpan('invoke_agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    const helper = child(tracer, 'format prompt', agent); // not AI: tracked, filtered out
    // The cap is reached: these are neither live nor tracked.
    const llm = child(tracer, 'chat gpt-4o', helper, { 'gen_ai.request.model': 'gpt-4o' });
    const tool = child(tracer, 'execute_tool', agent, { 'gen_ai.tool.name': 'weather' });
    await processor.forceFlush();
    expect([...opper.spans.keys()]).toEqual([idOf(agent)]); // only the tracked AI span is live
    expect(processor.getStats().liveSpans).toBeLessThanOrEqual(2);
    for (const span of [llm, tool, helper, agent]) {
      span.end();
      expect(processor.getStats().liveSpans).toBeLessThanOrEqual(2);
    }
    await processor.forceFlush();
    expect([...opper.spans.values()].map((s) => s.name).sort()).toEqual(['chat gpt-4o', 'execute_tool', 'invoke_agent']);
    // The untracked LLM span skips its filtered-out parent, as a tracked one would.
    expect(opper.spans.get(idOf(llm))!.parent_id).toBe(idOf(agent));
    expect(opper.spans.get(idOf(tool))!.parent_id).toBe(idOf(agent));
    for (const id of opper.spans.keys()) expect([opper.creates(id), opper.patches(id)]).toEqual([1, 1]);
    expect(processor.getStats()).toMatchObject({ spansExported: 3, liveSpans: 0, queuedSpans: 0 });
    expect(opper.violations).toEqual([]);
  });

  it('shutdown in live mode: a span still running keeps its live create and gets its state so far, without an end time', async () => {
    const tracer = await start({ spanFilter: 'all' });
    const running = tracer.startSpan('still running', { attributes: { 'opper.input': 'question' } });
    await opper.waitForSpans((spans) => spans.has(idOf(running))); // its live create landed
    running.setAttribute('opper.output', 'partial answer');
    await expect(processor.shutdown()).resolves.toBeUndefined();
    expect(opper.spans.get(idOf(running))).toMatchObject({
      end_time: null,
      output: 'partial answer',
      meta: expect.objectContaining({ 'opper.unfinished': 'shutdown' }),
    });
    expect([opper.creates(idOf(running)), opper.patches(idOf(running))]).toEqual([1, 1]);
    running.end(); // after shutdown: not sent, counted
    expect(processor.getStats()).toMatchObject({ liveSpans: 0, queuedSpans: 0, spansLost: { shutdown: 1 } });
    expect(opper.violations).toEqual([]);
  });

  it('getStats counts losses by reason (queue-full, expired), each cause warned once', async () => {
    // Jest's sandboxed `process` does not receive 'warning' events, so watch the call itself.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const tracer = await start({
        spanFilter: 'all',
        live: false,
        maxQueueSize: 5,
        maxSpanAgeMillis: 200,
        exportTimeoutMillis: 1000,
        timeoutMillis: 200,
      });
      opper.outage(60_000);
      for (let i = 0; i < 8; i++) tracer.startSpan(`burst 1 span ${i}`).end();
      expect(processor.getStats()).toMatchObject({ queuedSpans: 5, spansDropped: 3, spansLost: { 'queue-full': 3 } });
      for (let i = 0; i < 4; i++) tracer.startSpan(`burst 2 span ${i}`).end();
      expect(processor.getStats()).toMatchObject({ spansDropped: 7, spansLost: { 'queue-full': 7 } });
      // The 5 queued ones outlive maxSpanAgeMillis while Opper is down.
      for (let waited = 0; processor.getStats().queuedSpans > 0 && waited < 100; waited++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(processor.getStats()).toMatchObject({
        queuedSpans: 0,
        spansExported: 0,
        spansFailed: 5,
        spansDropped: 7,
        spansLost: { 'queue-full': 7, expired: 5 },
      });
      const codes = emitWarning.mock.calls.map(([, options]) => (options as { code: string }).code);
      expect(codes.filter((code) => code === 'OPPER_EXPORTER_QUEUE_FULL')).toHaveLength(1);
      expect(codes.filter((code) => code === 'OPPER_EXPORTER_SPANS_EXPIRED')).toHaveLength(1);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

// Bounds in every state (issue 23): live spans inside maxQueueBytes, every span accounted at
// shutdown and nothing left running after it, no dangling parent.
const under = (tracer: Tracer, name: string, parent: Span | undefined, attributes = {}) =>
  tracer.startSpan(name, { attributes }, parent ? trace.setSpan(context.active(), parent) : context.active());
const AI = { 'gen_ai.operation.name': 'chat' };
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('OpperSpanProcessor bounds', () => {
  it('live outage, spans given 1 MB attributes at their end: queuedBytes stays within maxQueueBytes, the excess counted and warned once', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const maxQueueBytes = 4 * 1024 * 1024;
      const tracer = await start({
        spanFilter: 'all',
        maxQueueBytes,
        exportTimeoutMillis: 500,
        timeoutMillis: 200,
        shutdownTimeoutMillis: 500,
      });
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
    const plain = (name: string, parent: Span | undefined) => {
      filtered++;
      return under(tracer, name, parent, { 'http.method': 'GET' });
    };
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

  it.each(['inline', 'worker'])(
    '%s transport: every span accounted when shutdown resolves, nothing left that keeps the process alive, and it exits by itself',
    async (transport) => {
      opper = await startLocalOpper();
      opper.inject({ delayMs: 2000 });
      const { stdout } = await run(process.execPath, [fixture, transport], {
        env: { ...process.env, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey },
        timeout: 60_000, // generous: it exits by itself or fails here
      });
      const [result, ...after] = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { accounted: number; resources: string[] });
      expect(after).toEqual([]); // not `stillAlive`: it ended by itself long before
      // Only what a bare process holds (its stdout, say) is left once shutdown resolved.
      expect(result.resources.filter((resource) => !['TTYWrap', 'PipeWrap', 'FSReqCallback'].includes(resource))).toEqual([]);
      expect(result.accounted).toBe(500);
    },
  );
});
