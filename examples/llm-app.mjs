// An instrumented LLM app: the `openai` SDK, traced by an OpenAI instrumentation, exported
// through OpperSpanExporter. The model is a local OpenAI-compatible stub (no network, no key).
// With OPPER_API_KEY set, traces go to Opper itself; without it, to the local Opper-compatible
// server from `opentelemetry-exporter-opper/testing`. Then the traces are read back and printed.
//
//   npm run build && node examples/llm-app.mjs
//   LLM_INSTRUMENTATION=traceloop node examples/llm-app.mjs   # or openinference (default), otel
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpperSpanExporter, toOpperTraceId } from 'opentelemetry-exporter-opper';
import { startOpenAIStub, WEATHER_TOOL } from './openai-stub.mjs';
import { fetchTrace, opperTarget, printTree } from './print-trace.mjs';

const { opper, local } = await opperTarget();

const exporter = new OpperSpanExporter(opper);
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'opper-llm-demo' }),
  spanProcessors: [new BatchSpanProcessor(exporter)],
});
provider.register();

const which = process.env.LLM_INSTRUMENTATION ?? 'openinference';
registerInstrumentations({ instrumentations: [await loadInstrumentation(which)] });
// The instrumentation patches `openai` when it is next require()d, so load it only now.
const { default: OpenAI } = createRequire(import.meta.url)('openai');

const model = await startOpenAIStub();
const client = new OpenAI({ baseURL: model.baseURL, apiKey: 'sk-stub' });
const tracer = trace.getTracer('opper-llm-demo', '1.0.0');
const tools = [WEATHER_TOOL];

// A small agent: ask the model, run the tool it asks for, ask again with the result.
const traceId = await tracer.startActiveSpan('weather agent', async (agent) => {
  const question = 'Should I bring an umbrella in Stockholm today?';
  agent.setAttributes({ 'opper.type': 'agent', 'opper.input': question });
  const messages = [
    { role: 'system', content: 'You are a helpful travel assistant.' },
    { role: 'user', content: question },
  ];
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  const call = first.choices[0].message.tool_calls?.[0];
  messages.push(first.choices[0].message);
  if (call) {
    const result = await tracer.startActiveSpan(`tool ${call.function.name}`, async (span) => {
      span.setAttributes({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': call.function.arguments });
      const weather = JSON.stringify({ city: 'Stockholm', weather: 'sunny, 21 C' });
      span.setAttribute('gen_ai.tool.call.result', weather);
      span.end();
      return weather;
    });
    messages.push({ role: 'tool', tool_call_id: call.id, content: result });
  }
  const final = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  agent.setAttribute('opper.output', final.choices[0].message.content ?? '');
  agent.end();
  return agent.spanContext().traceId;
});

await provider.shutdown(); // flushes the batch processor, then shuts the exporter down
await model.close();
const stats = exporter.getStats();
console.log(`Instrumentation: ${which}. Exported ${stats.spansExported} spans.\n`);
printTree(await fetchTrace(opper, toOpperTraceId(traceId)));
await local?.close();
if (stats.spansExported === 0) process.exitCode = 1;

async function loadInstrumentation(name) {
  switch (name) {
    case 'openinference':
      return new (await import('@arizeai/openinference-instrumentation-openai')).OpenAIInstrumentation();
    case 'traceloop':
      return new (await import('@traceloop/instrumentation-openai')).OpenAIInstrumentation({ traceContent: true });
    case 'otel':
      // Records model and usage on the span; prompts and completions go to the log pipeline only.
      return new (await import('@opentelemetry/instrumentation-openai')).OpenAIInstrumentation({ captureMessageContent: true });
    default:
      throw new Error(`LLM_INSTRUMENTATION must be openinference, traceloop or otel, not ${JSON.stringify(name)}`);
  }
}
