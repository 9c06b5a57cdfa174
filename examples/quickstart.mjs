// The demo (`npm run demo`): an instrumented app exports its traces through OpperSpanExporter,
// then prints the traces as Opper received them. With OPPER_API_KEY set it sends to Opper
// itself; without it, to the local Opper-compatible server that ships in
// `opentelemetry-exporter-opper/testing`.
import { createRequire } from 'node:module';
import { trace, SpanStatusCode } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpperSpanExporter, toOpperTraceId } from 'opentelemetry-exporter-opper';
import { fetchTrace, opperTarget, printTree } from './print-trace.mjs';

const { opper, local } = await opperTarget();

const exporter = new OpperSpanExporter(opper);
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'opper-demo' }),
  spanProcessors: [new BatchSpanProcessor(exporter)],
});
provider.register();
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
// instrumentation-http patches node:http when it is next require()d, so load it only now.
const http = createRequire(import.meta.url)('node:http');

const tracer = trace.getTracer('opper-demo', '1.0.0');
const traceIds = [];

// 1. An HTTP round trip: a server span and a client span, linked by context propagation.
const server = http.createServer((_req, res) => res.end(JSON.stringify({ weather: 'sunny', city: 'Stockholm' })));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
await tracer.startActiveSpan('fetch weather', async (span) => {
  traceIds.push(span.spanContext().traceId);
  await new Promise((resolve, reject) =>
    http
      .get(`http://127.0.0.1:${server.address().port}/weather?city=Stockholm`, (res) => res.resume().on('end', resolve))
      .on('error', reject),
  );
  span.end();
});
server.close();

// 2. An LLM call described with the OpenTelemetry GenAI semantic conventions.
await tracer.startActiveSpan('agent: plan a trip', async (agent) => {
  traceIds.push(agent.spanContext().traceId);
  agent.setAttributes({ 'opper.type': 'agent', 'opper.input': 'Plan a weekend in Stockholm' });
  await tracer.startActiveSpan('chat gpt-4o', { kind: 2 }, async (llm) => {
    llm.setAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan a weekend in Stockholm' }] }]),
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: 'Day 1: Gamla stan. Day 2: Djurgården.' }], finish_reason: 'stop' },
      ]),
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 11,
    });
    llm.end();
  });
  agent.setAttributes({ 'opper.output': 'Day 1: Gamla stan. Day 2: Djurgården.', 'opper.score': 9 });
  agent.end();
});

// 3. A step that fails: the exception becomes the Opper span's error.
tracer.startActiveSpan('book hotel', (span) => {
  traceIds.push(span.spanContext().traceId);
  const error = new Error('no rooms left on 2026-12-05');
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
});

// Flushes the batch processor, then shuts the exporter down. It rejects when the last export
// failed; the exporter's warning (printed before) says why, so the demo reports and goes on.
await provider.shutdown().catch((error) => console.error(`Tracing: ${error.message}`));
const stats = exporter.getStats();
const failed = stats.spansFailed + stats.spansDropped;
console.log(`Exported ${stats.spansExported} spans (${stats.requests} requests, ${failed} failed).\n`);

if (failed === 0 && stats.spansExported > 0) {
  for (const traceId of traceIds) printTree(await fetchTrace(opper, toOpperTraceId(traceId)));
} else {
  console.log('Nothing to show: see the warning above for why the spans did not arrive.');
  process.exitCode = 1;
}
await local?.close();
