// Issue 23, item 4: how long the app's event loop is held up when 1,024 spans of ~200 KB end at
// once, through OpperSpanExporter (worker transport, one export of the 1,024, as a batch
// processor would hand them over) and through OpperSpanProcessor (live, spanFilter 'all'), with
// Opper (the local one) up. Prints the max event-loop delay (perf_hooks.monitorEventLoopDelay,
// 1 ms resolution) from the moment the spans end until they are stored, the longest GC pause of
// this thread then (part of that delay, and a matter of what the heap holds), and the peak RSS. Run
// after `npm run build`:   node bench/big-spans-loop.mjs
// The local Opper runs in a process of its own (bench/lib/receiver.mjs), as Opper would.
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OpperSpanExporter, OpperSpanProcessor } from 'opentelemetry-exporter-opper';
import { startReceiver } from './lib/procs.mjs';

const SPANS = 1024;
const SPAN_BYTES = 200 * 1024;
const attributes = (i) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.prompt': `${i} `.padEnd(SPAN_BYTES / 2, 'p'),
  'gen_ai.completion': `${i} `.padEnd(SPAN_BYTES / 2, 'c'),
});

async function measure(name, run) {
  const opper = await startReceiver('local');
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 20);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let gc = 0;
  let measuring = false;
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (measuring) gc = Math.max(gc, entry.duration);
  });
  gcs.observe({ entryTypes: ['gc'] });
  // The monitor's first sample only starts its clock: it runs a while before the spans end.
  await run(opper, async () => {
    delay.enable();
    measuring = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  delay.disable();
  gcs.disconnect();
  clearInterval(sampler);
  const { completed } = await opper.call('stats');
  await opper.close();
  console.log(
    `${name}: ${completed}/${SPANS} stored, max event-loop delay ${(delay.max / 1e6).toFixed(1)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms), longest GC pause ${gc.toFixed(1)} ms, peak RSS ${(rss / 2 ** 20).toFixed(0)} MB`,
  );
}

const only = process.env.ONLY; // 'exporter' or 'processor': one of the two
if (only !== 'processor')
  await measure('exporter, worker transport', async (opper, start) => {
    const exporter = new OpperSpanExporter({
      baseUrl: opper.url,
      apiKey: opper.apiKey,
      transport: 'worker',
      exportTimeoutMillis: 120_000,
      maxPendingSpans: SPANS,
    });
    const ended = [];
    const recorder = { onStart() {}, onEnd: (span) => ended.push(span), forceFlush: async () => {}, shutdown: async () => {} };
    const tracer = new BasicTracerProvider({ spanProcessors: [recorder] }).getTracer('bench');
    for (let i = 0; i < SPANS; i++) tracer.startSpan(`chat ${i}`, { attributes: attributes(i) }).end();
    await new Promise((resolve) => setTimeout(resolve, 500)); // the worker is up
    await start();
    await new Promise((resolve) => exporter.export(ended, resolve));
    await exporter.shutdown();
  });

if (only !== 'exporter')
  await measure('processor (live)', async (opper, start) => {
    const processor = new OpperSpanProcessor({
      baseUrl: opper.url,
      apiKey: opper.apiKey,
      spanFilter: 'all',
      exportTimeoutMillis: 120_000,
      maxQueueBytes: 2 ** 30,
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('bench');
    const spans = [];
    for (let i = 0; i < SPANS; i++) spans.push(tracer.startSpan(`chat ${i}`, { attributes: attributes(i) }));
    await processor.forceFlush(); // the live creates are in
    await start();
    for (const span of spans) span.end();
    await processor.forceFlush();
    await processor.shutdown();
  });

// What the machine itself adds: the same monitor over 10 ms busy slices of plain JS, nothing else.
if (only === undefined) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (const until = Date.now() + 15_000; Date.now() < until; ) {
    for (const end = performance.now() + 10; performance.now() < end; );
    await new Promise((resolve) => setImmediate(resolve));
  }
  delay.disable();
  console.log(
    `control, 10 ms busy slices for 15 s: max event-loop delay ${(delay.max / 1e6).toFixed(1)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms)`,
  );
}
