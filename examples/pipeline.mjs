// The pipeline demo (`npm run demo:pipeline`): an app exports plain OTLP (OpenTelemetry JS's own
// OTLP/HTTP protobuf exporter, gzip), as it would to a Collector; the OTLP bridge takes it in and
// forwards it to Opper; the traces are then printed as Opper stores them. Without OPPER_API_KEY
// everything stays on this machine: the bridge forwards to the local Opper-compatible server.
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { toOpperTraceId } from 'opentelemetry-exporter-opper';
import { startOtlpBridge } from 'opentelemetry-exporter-opper/bridge';
import { fetchTrace, opperTarget, printTree } from './print-trace.mjs';

const { opper, local } = await opperTarget();

// The bridge, as `opper-otlp-bridge` would run it, on free ports, with an inbound token.
const token = randomBytes(16).toString('hex');
const bridge = await startOtlpBridge({ ...opper, port: 0, grpcPort: 0, token, logLevel: 'warn' });
console.log(`OTLP bridge listening: HTTP ${bridge.url}, gRPC ${bridge.grpcUrl}\n`);

// The app: nothing Opper-specific, only OTLP.
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'pipeline-demo' }),
  spanProcessors: [
    new BatchSpanProcessor(
      new OTLPTraceExporter({ url: `${bridge.url}/v1/traces`, compression: 'gzip', headers: { authorization: `Bearer ${token}` } }),
    ),
  ],
});
provider.register();
const tracer = trace.getTracer('pipeline-demo', '1.0.0');
const traceIds = [];

// 1. An agent with an LLM call (OTel GenAI conventions) and a tool call.
await tracer.startActiveSpan('agent: plan a trip', async (agent) => {
  traceIds.push(agent.spanContext().traceId);
  agent.setAttributes({ 'gen_ai.operation.name': 'invoke_agent', 'opper.input': 'Plan a weekend in Stockholm' });
  tracer.startActiveSpan('chat gpt-4o', { kind: SpanKind.CLIENT }, (llm) => {
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
  tracer.startActiveSpan('execute_tool get_weather', (tool) => {
    tool.setAttributes({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.call.arguments': '{"city":"Stockholm"}',
      'gen_ai.tool.call.result': '{"weather":"sunny"}',
    });
    tool.end();
  });
  agent.setAttributes({ 'opper.output': 'Day 1: Gamla stan. Day 2: Djurgården.' });
  agent.end();
});

// 2. A step that fails: the exception becomes the Opper span's error.
tracer.startActiveSpan('book hotel', (span) => {
  traceIds.push(span.spanContext().traceId);
  span.recordException(new Error('no rooms left on 2026-12-05'));
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
});

await provider.shutdown(); // the OTLP exporter's last export returns once the bridge has delivered it
const stats = bridge.getStats();
console.log(
  `The bridge delivered ${stats.spansDelivered} spans (${stats.opperRequests} requests to Opper, ${stats.spansRejected} refused).\n`,
);
for (const traceId of traceIds) printTree(await fetchTrace(opper, toOpperTraceId(traceId)));
await bridge.close();
await local?.close();
if (stats.spansDelivered === 0 || stats.spansRejected > 0) process.exitCode = 1;
