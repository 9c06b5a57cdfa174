import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

/**
 * One trace with every feature a span can carry across OTLP: a remote parent with trace state,
 * nested children of each kind, every attribute type, events (an exception among them), links,
 * statuses, LLM spans in two dialects (OTel GenAI, OpenInference), and a local root: 6 spans.
 */
export function richTrace(tracer: Tracer, n: number): void {
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: (n + 1).toString(16).padStart(8, '0') + 'aa'.repeat(12),
    spanId: 'bb'.repeat(7) + (n % 256).toString(16).padStart(2, '0'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=a1,other=b2'),
  });
  const root = tracer.startSpan(
    `GET /items/${n}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'url.path': `/items/${n}`,
        'http.response.status_code': 200,
        'item.ratio': 0.25,
        'item.flag': true,
        'item.tags': ['a', 'b'],
        'item.counts': [1, 2, 3],
        'item.flags': [true, false],
        'item.big': 2 ** 40,
        'text.unicode': 'héllo ✓ 😀',
      },
    },
    remote,
  );
  const parent = trace.setSpan(context.active(), root);
  const chat = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `question ${n}` }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: `answer ${n}` }], finish_reason: 'stop' },
        ]),
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 34,
      },
    },
    parent,
  );
  chat.addEvent('gen_ai.content.chunk', { index: 0 });
  chat.end();
  const retrieval = tracer.startSpan(
    'retrieve docs',
    {
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'claude-3',
        'input.value': `find ${n}`,
        'output.value': JSON.stringify({ docs: [n, n + 1] }),
        'output.mime_type': 'application/json',
        'llm.token_count.prompt': 5,
        'llm.token_count.completion': 7,
      },
      links: [{ context: chat.spanContext(), attributes: { 'link.reason': 'follows' } }],
    },
    parent,
  );
  retrieval.end();
  const db = tracer.startSpan(
    'SELECT items',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'opper.score': 3.6 } },
    parent,
  );
  db.recordException(new TypeError(`row ${n} is gone`));
  db.setStatus({ code: SpanStatusCode.ERROR, message: 'query failed' });
  db.end();
  const producer = tracer.startSpan(
    'publish',
    { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'opper.type': 'queue' } },
    parent,
  );
  producer.setStatus({ code: SpanStatusCode.OK });
  producer.end();
  root.end();
  tracer.startSpan(`background job ${n}`, { attributes: { 'job.id': n } }, ROOT_CONTEXT).end();
}
