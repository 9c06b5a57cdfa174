// The spans the benchmarks send: real ReadableSpans made by the OpenTelemetry SDK.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

/** A realistic resource of a Node service (what the NodeSDK's detectors produce, ~17 attributes). */
export const RESOURCE = resourceFromAttributes({
  'service.name': 'checkout-api',
  'service.version': '2.14.3',
  'service.namespace': 'shop',
  'service.instance.id': '6f1c2a8e-3b7d-4f0e-9a51-2c8d7e4b9f10',
  'deployment.environment.name': 'production',
  'host.name': 'checkout-api-7d9f8b6c5-x2k4p',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'os.version': '6.8.0-1019-aws',
  'process.pid': 4711,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '20.20.0',
  'process.executable.name': 'node',
  'process.command': '/app/dist/server.js',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.version': '2.12.0',
});

/** Attributes of a typical HTTP server span (instrumentation-http, stable semconv): 11. */
function httpAttributes(i) {
  return {
    'http.request.method': 'GET',
    'url.scheme': 'https',
    'url.path': `/api/orders/${100000 + (i % 90000)}`,
    'url.query': 'include=items,shipping',
    'http.route': '/api/orders/:id',
    'http.response.status_code': 200,
    'server.address': 'checkout.example.com',
    'server.port': 443,
    'network.protocol.version': '1.1',
    'client.address': `10.0.${i % 250}.${(i * 7) % 250}`,
    'user_agent.original':
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  };
}

const WORDS = 'the order service returns shipping options for each item in the basket and the customer picks one before paying'.split(' ');
function prose(bytes, seed) {
  let text = '';
  for (let i = seed; text.length < bytes; i++) text += WORDS[i % WORDS.length] + (i % 13 === 12 ? '. ' : ' ');
  return text.slice(0, bytes);
}

/** ~4 KB of GenAI input messages (system + 3 turns) and a ~600 B answer, as OTel GenAI semconv. */
function llmAttributes(i) {
  const input = [
    { role: 'system', parts: [{ type: 'text', content: prose(900, i) }] },
    { role: 'user', parts: [{ type: 'text', content: prose(1200, i + 3) }] },
    { role: 'assistant', parts: [{ type: 'text', content: prose(800, i + 5) }] },
    { role: 'user', parts: [{ type: 'text', content: prose(1000, i + 7) }] },
  ];
  const output = [{ role: 'assistant', parts: [{ type: 'text', content: prose(600, i + 11) }], finish_reason: 'stop' }];
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': `chatcmpl-${i.toString(36)}Xq81Lz`,
    'gen_ai.request.temperature': 0.2,
    'gen_ai.request.max_tokens': 512,
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 1024 + (i % 100),
    'gen_ai.usage.output_tokens': 150 + (i % 50),
    'server.address': 'api.openai.com',
    'server.port': 443,
    'gen_ai.input.messages': JSON.stringify(input),
    'gen_ai.output.messages': JSON.stringify(output),
  };
}

/**
 * A tracer whose ended spans go to `processors`. With `collect`, ended spans are also kept in the
 * returned array (to make spans before a measured window).
 */
export function makeTracer(processors = [], collect = false) {
  const ended = [];
  const collector = { onStart() {}, onEnd: (span) => ended.push(span), forceFlush: async () => {}, shutdown: async () => {} };
  const provider = new BasicTracerProvider({
    resource: RESOURCE,
    spanProcessors: collect ? [collector, ...processors] : processors,
  });
  return { tracer: provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0'), provider, ended };
}

/** Ends one span of `kind` ('http' or 'llm') on `tracer`; `i` varies its values. */
export function endSpan(tracer, kind, i) {
  const start = Date.now() - 25;
  if (kind === 'llm') {
    const span = tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: llmAttributes(i), startTime: start });
    span.end(start + 1800);
    return;
  }
  const span = tracer.startSpan('GET /api/orders/:id', { kind: SpanKind.SERVER, attributes: httpAttributes(i), startTime: start });
  if (i % 50 === 49) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timeout' });
  span.end(start + 12 + (i % 30));
}

/** `n` ended ReadableSpans of `kind`, each its own trace (a busy service's server spans). */
export function makeSpans(kind, n, offset = 0) {
  const { tracer, ended } = makeTracer([], true);
  for (let i = 0; i < n; i++) endSpan(tracer, kind, offset + i);
  return ended;
}
