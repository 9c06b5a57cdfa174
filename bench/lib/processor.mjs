// The phases of issue 11: OpperSpanProcessor against OpperSpanExporter in a BatchSpanProcessor,
// and the 'ai' filter on an auto-instrumented HTTP app. Run by app.mjs in a fresh app process.
import { createRequire, register } from 'node:module';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeTracer } from './workload.mjs';

/** CPU µs of this process since `since` (a process.cpuUsage() reading): unlike wall time, not
 * inflated when other processes take the core. */
const cpuUs = (since) => {
  const { user, system } = process.cpuUsage(since);
  return user + system;
};

/**
 * Starts and ends `n` spans of `kind`, `open` at a time: each batch starts, lets the event loop
 * turn (a live create can leave), then ends; the same for every door, so their figures compare.
 * Returns the CPU µs spent inside startSpan()/end().
 */
async function runSpans(tracer, kind, n, offset, open) {
  let inlineUs = 0;
  for (let done = 0; done < n; ) {
    const batch = Math.min(open, n - done);
    const spans = [];
    let t0 = process.cpuUsage();
    for (let i = 0; i < batch; i++) spans.push(startSpan(tracer, kind, offset + done + i));
    inlineUs += cpuUs(t0);
    await new Promise((resolve) => setImmediate(resolve));
    t0 = process.cpuUsage();
    for (const span of spans) span.end();
    inlineUs += cpuUs(t0);
    done += batch;
  }
  return inlineUs;
}

const startSpan = (tracer, kind, i) =>
  kind === 'llm'
    ? tracer.startSpan('chat gpt-4o-mini', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.input.messages': `[{"role":"user","parts":[{"type":"text","content":"question ${i}"}]}]`,
        },
      })
    : tracer.startSpan('GET /api/orders/:id', {
        attributes: {
          'http.request.method': 'GET',
          'url.path': `/api/orders/${i}`,
          'http.route': '/api/orders/:id',
          'http.response.status_code': 200,
        },
      });

/**
 * Main-thread cost per span of one door: `spec.door` is 'bsp' (OpperSpanExporter in a
 * BatchSpanProcessor), 'live' or 'not-live' (OpperSpanProcessor, spanFilter 'all'). App CPU per
 * span covers everything (all of it runs on the main thread); inline is the CPU spent inside the
 * app's own startSpan()/end() calls.
 */
export async function processorCostPhase(spec, { measure, counting }) {
  const { OpperSpanExporter, OpperSpanProcessor } = await import('opentelemetry-exporter-opper');
  const common = { baseUrl: spec.url, apiKey: spec.apiKey, concurrency: spec.concurrency };
  let processor;
  let done;
  let stats;
  if (spec.door === 'bsp') {
    const exporter = new OpperSpanExporter(common);
    const counted = counting(exporter);
    processor = new BatchSpanProcessor(counted, {
      maxExportBatchSize: 512,
      maxQueueSize: spec.n + spec.warmup + 1024,
      scheduledDelayMillis: 20,
      exportTimeoutMillis: 30_000,
    });
    done = (n) => counted.until(n);
    stats = () => exporter.getStats();
  } else {
    const maxQueueSize = spec.n + spec.warmup + 1024;
    processor = new OpperSpanProcessor({ ...common, spanFilter: 'all', live: spec.door === 'live', maxQueueSize });
    done = async (n) => {
      while (processor.getStats().spansExported + processor.getStats().spansFailed < n) await processor.forceFlush();
    };
    stats = () => processor.getStats();
  }
  const { tracer, provider } = makeTracer([processor]);
  await runSpans(tracer, spec.kind, spec.warmup, 0, spec.open);
  await done(spec.warmup);
  const before = stats();
  let inlineUs = 0;
  const window = await measure(async () => {
    inlineUs = await runSpans(tracer, spec.kind, spec.n, spec.warmup, spec.open);
    await done(spec.warmup + spec.n);
    return {};
  });
  const after = stats();
  await provider.shutdown();
  return { ...window, units: spec.n, inlineUs: inlineUs / spec.n, failed: after.spansFailed - before.spansFailed, stats: after };
}

/**
 * An auto-instrumented HTTP app (instrumentation-http) whose every request makes one LLM call (a
 * span with GenAI attributes around an HTTP call to a model server), traced through
 * OpperSpanProcessor with `spec.filter` ('ai' or 'all'): Opper requests per app request.
 */
export async function aiFilterPhase(spec, { measure }) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { OpperSpanProcessor } = await import('opentelemetry-exporter-opper');
  // The model server is another service: its requests are not this app's server spans.
  const http = await instrumentedHttp(
    registerInstrumentations,
    new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url.startsWith('/v1/') }),
  );
  const processor = new OpperSpanProcessor({
    baseUrl: spec.url,
    apiKey: spec.apiKey,
    concurrency: spec.concurrency,
    spanFilter: spec.filter,
  });
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register();
  const tracer = provider.getTracer('llm-client');
  const get = (url) => new Promise((resolve, reject) => http.get(url, (res) => res.resume().on('end', resolve)).on('error', reject));

  const model = http.createServer((_req, res) => res.end('{"choices":[{"message":{"content":"hi"}}]}'));
  await new Promise((resolve) => model.listen(0, '127.0.0.1', resolve));
  const server = http.createServer((_req, res) => {
    tracer.startActiveSpan(
      'chat gpt-4o-mini',
      { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } },
      async (span) => {
        await get(`http://127.0.0.1:${model.address().port}/v1/chat/completions`);
        span.end();
        res.end('ok');
      },
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The load generator is not the app: its client spans are suppressed.
  const load = async (n) => {
    const url = `http://127.0.0.1:${server.address().port}/chat`;
    for (let sent = 0; sent < n; sent += 10) {
      await context.with(suppressTracing(context.active()), () =>
        Promise.all(Array.from({ length: Math.min(10, n - sent) }, () => get(url))),
      );
    }
    await processor.forceFlush();
  };
  await load(spec.warmup);
  const window = await measure(async () => {
    await load(spec.n);
    return {};
  });
  const stats = processor.getStats();
  server.close();
  model.close();
  await provider.shutdown();
  return { ...window, units: spec.n, stats };
}

/** node:http loaded through require after the instrumentation is registered, so it is patched. */
async function instrumentedHttp(registerInstrumentations, instrumentation) {
  registerInstrumentations({ instrumentations: [instrumentation] });
  return createRequire(import.meta.url)('node:http');
}
