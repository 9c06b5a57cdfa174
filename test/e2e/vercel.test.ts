// Vercel: @vercel/otel's registerOTel delivering through either door (plain `node` processes, as
// it registers globals), and the processor handing its flush to the request's waitUntil, given
// the request context Vercel's runtime publishes on globalThis[Symbol.for('@vercel/request-context')].
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OpperSpanProcessor, toOpperSpanId } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

const run = promisify(execFile);
const app = fileURLToPath(new URL('../fixtures/vercel-otel-app.mjs', import.meta.url));

let opper: LocalOpper;
beforeAll(async () => {
  opper = await startLocalOpper();
});
afterAll(() => opper.close());
beforeEach(() => opper.reset());

describe.each(['exporter', 'processor'])('registerOTel from @vercel/otel with Opper as its %s', (mode) => {
  it('delivers the request span and the LLM span inside it, parent intact', async () => {
    const { stdout } = await run(process.execPath, [app], {
      env: { ...process.env, MODE: mode, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey },
      timeout: 30_000,
    });
    const { warnings, stats } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { warnings: string[]; stats: { spansExported: number } };
    expect(warnings).toEqual([]);
    const spans = [...opper.spans.values()];
    // The processor's default filter keeps the LLM span only; the exporter sends everything.
    const names = mode === 'exporter' ? ['GET /api/chat', 'chat gpt-4o'] : ['chat gpt-4o'];
    expect(spans.map((span) => span.name).sort()).toEqual(names.sort());
    expect(stats.spansExported).toBe(names.length);
    const llm = spans.find((span) => span.name === 'chat gpt-4o')!;
    expect(llm).toMatchObject({ type: 'llm' });
    if (mode === 'exporter') expect(llm.parent_id).toBe(spans.find((span) => span.name === 'GET /api/chat')!.id);
    expect(opper.violations).toEqual([]);
  });
});

describe('OpperSpanProcessor inside a Vercel request', () => {
  const REQUEST_CONTEXT = Symbol.for('@vercel/request-context');
  let tasks: (() => Promise<unknown>)[];
  let processor: OpperSpanProcessor;
  let provider: BasicTracerProvider;

  beforeEach(() => {
    tasks = [];
    // What Vercel's runtime publishes: a reader of the current request's context.
    (globalThis as Record<symbol, unknown>)[REQUEST_CONTEXT] = {
      get: () => ({ waitUntil: (task: () => Promise<unknown>) => void tasks.push(task), headers: {}, url: 'https://app.example/api/chat' }),
    };
    processor = new OpperSpanProcessor({ apiKey: opper.apiKey, baseUrl: opper.url, spanFilter: 'all' });
    provider = new BasicTracerProvider({ spanProcessors: [processor] });
  });
  afterEach(async () => {
    delete (globalThis as Record<symbol, unknown>)[REQUEST_CONTEXT];
    await provider.shutdown();
  });

  const tracer = () => provider.getTracer('route');
  const childOf = (parent: ReturnType<ReturnType<typeof tracer>['startSpan']>, name: string) =>
    tracer().startSpan(name, {}, trace.setSpan(context.active(), parent));

  it("hands one flush per request to waitUntil; once it resolves, the request's spans are in Opper", async () => {
    const root = tracer().startSpan('GET /api/chat');
    childOf(root, 'chat gpt-4o').end();
    root.end();
    expect(tasks).toHaveLength(1); // the root span's request; the child adds none
    expect(opper.spans.size).toBe(0); // nothing sent yet: a frozen function would keep it so
    await tasks[0]!();
    const spans = [...opper.spans.values()];
    expect(spans.map((span) => span.name).sort()).toEqual(['GET /api/chat', 'chat gpt-4o']);
    const rootId = toOpperSpanId(root.spanContext().spanId, root.spanContext().traceId);
    expect(spans.find((span) => span.name === 'chat gpt-4o')!.parent_id).toBe(rootId);
  });

  it('waits for a root span still running when the task starts (a streamed response)', async () => {
    const root = tracer().startSpan('POST /api/stream');
    const flushed = tasks[0]!();
    root.end(); // ends after the response was handed over
    await flushed;
    expect([...opper.spans.values()]).toEqual([expect.objectContaining({ name: 'POST /api/stream', end_time: expect.any(String) })]);
  });

  it('gives each of two concurrent requests its own task', async () => {
    const first = tracer().startSpan('GET /a');
    const second = tracer().startSpan('GET /b');
    first.end();
    second.end();
    expect(tasks).toHaveLength(2);
    await Promise.all(tasks.map((task) => task()));
    expect([...opper.spans.values()].map((span) => span.name).sort()).toEqual(['GET /a', 'GET /b']);
  });

  it('does nothing of the kind outside a request', async () => {
    delete (globalThis as Record<symbol, unknown>)[REQUEST_CONTEXT];
    tracer().startSpan('background job').end();
    expect(tasks).toHaveLength(0);
  });
});
