// The worker transport translates spans from their parts, copied by structured clone: the bodies
// must be byte-identical to the ones translated from the span itself.
import { describe, expect, it } from '@jest/globals';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { translateSpan } from '../../src/translate/index.js';
import { fromParts, toParts } from '../../src/translate/parts.js';
import { makeSpan, PARENT_ID, TRACE_ID } from './helpers.js';

const OPTIONS = { maxBodyBytes: 64 * 1024, redactSecrets: true };

function viaParts(spans: Parameters<typeof toParts>[0]) {
  const unreadable: unknown[] = [];
  const parts = toParts(spans, OPTIONS, (span) => unreadable.push(span));
  const copied = structuredClone(parts);
  const bodies = copied.spans.map((part) => {
    const bounded = fromParts(part, copied.resources);
    return translateSpan(bounded.span, OPTIONS, bounded);
  });
  return { bodies, unreadable, resources: copied.resources, parts };
}

describe('span parts', () => {
  it('translate, after a structured clone, to the same bodies as the spans of a real SDK', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('parts-test', '1.0.0');
    const parent = tracer.startSpan('GET /cart', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'url.full': 'https://x.test/?token=abc' },
    });
    const child = tracer.startSpan(
      'chat',
      {
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': '[{"role":"user","content":"hi \ud800"}]' },
        links: [{ context: parent.spanContext(), attributes: { why: 'retry' } }],
      },
      trace.setSpan(context.active(), parent),
    );
    child.recordException(new TypeError('bad input'));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    child.addEvent('tick', { n: [1, 2, 3] });
    child.end();
    parent.end();
    const spans = exporter.getFinishedSpans();
    const { bodies, unreadable, resources } = viaParts(spans);
    expect(unreadable).toEqual([]);
    expect(resources).toHaveLength(1); // shared by both spans, sent once
    expect(bodies).toEqual(spans.map((span) => translateSpan(span, OPTIONS)));
  });

  it('keeps SDK 1.x fields (parentSpanId, instrumentationLibrary) and dropped counts', () => {
    const span = makeSpan({
      parentSpanId: PARENT_ID,
      instrumentationLibrary: { name: 'old', version: '1' },
      droppedAttributesCount: 3,
      droppedEventsCount: 1,
      droppedLinksCount: 2,
    });
    expect(viaParts([span]).bodies).toEqual([translateSpan(span, OPTIONS)]);
    expect(translateSpan(span, OPTIONS).create).toContain(TRACE_ID.slice(0, 8));
  });

  it('are cut to the body budget before they are copied, and still translate to the same bodies', () => {
    const huge = makeSpan({
      attributes: { numbers: Array.from({ length: 1_000_000 }, (_, i) => i), 'gen_ai.input.messages': 'x'.repeat(300_000) },
      events: Array.from({ length: 10_000 }, (_, i) => ({ name: `event ${i}`, time: [1, i] as [number, number], attributes: { i } })),
    });
    const { bodies, parts } = viaParts([huge]);
    const [part] = parts.spans;
    // What crosses the thread is about a body's worth, not the span's million numbers.
    expect((part!.attributes.numbers as unknown[]).length).toBeLessThan(OPTIONS.maxBodyBytes);
    expect(part!.events.length).toBeLessThan(10_000);
    expect(part!.cut).toEqual({ eventsCut: expect.any(Number), linksCut: 0 });
    expect(bodies).toEqual([translateSpan(huge, OPTIONS)]);
  });

  it('hands back a span whose parts cannot be read, for the translation to do what it can', () => {
    const broken = {
      ...makeSpan(),
      spanContext: () => {
        throw new Error('gone');
      },
    };
    expect(viaParts([broken, makeSpan()]).unreadable).toEqual([broken]);
  });
});
