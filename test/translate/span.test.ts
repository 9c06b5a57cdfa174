import { describe, expect, it } from '@jest/globals';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_OPPER_INPUT,
  ATTR_OPPER_OUTPUT,
  ATTR_OPPER_SCORE,
  ATTR_OPPER_TYPE,
  translateSpan,
  type ReadableSpanLike,
} from '../../src/translate/index.js';
import { PARENT_ID, SPAN_ID, TRACE_ID, allStrings, hasBadChars, makeSpan, parse, UUID, type SpanFields } from './helpers.js';

const OPTIONS = { maxBodyBytes: 512 * 1024 };
const translate = (fields: SpanFields = {}) => parse(translateSpan(makeSpan(fields), OPTIONS));
const typeOf = (attributes: SpanFields['attributes'], kind = SpanKind.INTERNAL) => translate({ attributes, kind }).create.type;

describe('translateSpan: identity and timing', () => {
  it('writes ids, name and times, and returns the identity beside the bodies', () => {
    const translated = translateSpan(makeSpan({ parentSpanContext: { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1 } }), OPTIONS);
    expect(translated.id).toBe('b7ad6b71-6920-3331-8448-eb211c80319c');
    expect(translated.traceId).toBe('0af76519-16cd-43dd-8448-eb211c80319c');
    expect(translated.parentId).toBe('00f067aa-0ba9-02b7-8448-eb211c80319c');
    const { create, update } = parse(translated);
    expect(create).toMatchObject({
      id: translated.id,
      trace_id: translated.traceId,
      parent_id: translated.parentId,
      name: 'operation',
      start_time: '2024-03-20T10:00:00.123456Z',
    });
    expect(update).toEqual({ end_time: '2024-03-20T10:00:01.000005Z' });
    expect(Object.keys(create)).toEqual(['id', 'trace_id', 'parent_id', 'name', 'type', 'start_time', 'meta']);
  });

  it('reads the SDK 1.x parentSpanId, and leaves parent_id out for a root or an all-zero parent', () => {
    expect(translate({ parentSpanId: PARENT_ID }).create.parent_id).toBe('00f067aa-0ba9-02b7-8448-eb211c80319c');
    const root = translateSpan(makeSpan(), OPTIONS);
    expect(root.parentId).toBeUndefined();
    expect('parentId' in root).toBe(false);
    expect(parse(root).create).not.toHaveProperty('parent_id');
    expect(translate({ parentSpanId: '0000000000000000' }).create).not.toHaveProperty('parent_id');
    expect(translate({ parentSpanId: '' }).create).not.toHaveProperty('parent_id');
  });

  it('names an unnamed span "unnamed"', () => {
    expect(translate({ name: '' }).create.name).toBe('unnamed');
  });

  it('leaves out fields that have no value rather than sending null', () => {
    const { create, update } = translate();
    for (const key of ['parent_id', 'input']) expect(create).not.toHaveProperty(key);
    for (const key of ['output', 'error', 'score']) expect(update).not.toHaveProperty(key);
    expect(JSON.stringify(create)).not.toContain('null');
  });
});

describe('translateSpan: type, first rule that matches', () => {
  it('1. opper.type overrides everything, and is not repeated in meta', () => {
    const { create } = translate({
      kind: SpanKind.SERVER,
      attributes: { [ATTR_OPPER_TYPE]: 'guardrail', 'gen_ai.operation.name': 'chat', 'http.request.method': 'GET' },
    });
    expect(create.type).toBe('guardrail');
    expect(create.meta).not.toHaveProperty(ATTR_OPPER_TYPE);
  });

  it('1. an opper.type that is not a non-empty string is ignored and stays in meta', () => {
    const { create } = translate({ attributes: { [ATTR_OPPER_TYPE]: 7, 'http.method': 'GET' } });
    expect(create.type).toBe('http');
    expect(create.meta[ATTR_OPPER_TYPE]).toBe(7);
    expect(typeOf({ [ATTR_OPPER_TYPE]: '' }, SpanKind.CLIENT)).toBe('client');
  });

  it('2. gen_ai.operation.name maps to the Opper type, before the semantic conventions', () => {
    const cases: [string, string][] = [
      ['chat', 'llm'],
      ['text_completion', 'llm'],
      ['generate_content', 'llm'],
      ['embeddings', 'embedding'],
      ['execute_tool', 'tool'],
      ['invoke_agent', 'agent'],
      ['create_agent', 'agent'],
      ['invoke_workflow', 'workflow'],
      ['retrieval', 'retrieval'],
    ];
    for (const [operation, type] of cases) {
      expect(typeOf({ 'gen_ai.operation.name': operation, 'http.request.method': 'POST' }, SpanKind.CLIENT)).toBe(type);
    }
  });

  it('2. keeps gen_ai.operation.name in meta (it says more than the type)', () => {
    expect(translate({ attributes: { 'gen_ai.operation.name': 'chat' } }).create.meta['gen_ai.operation.name']).toBe('chat');
  });

  it('2. an unknown operation (or a prototype key) falls through to the next rules', () => {
    expect(typeOf({ 'gen_ai.operation.name': 'dance', 'http.request.method': 'GET' })).toBe('http');
    expect(typeOf({ 'gen_ai.operation.name': 'constructor' }, SpanKind.PRODUCER)).toBe('producer');
  });

  it('4. well-known semantic conventions', () => {
    expect(typeOf({ 'http.request.method': 'GET' }, SpanKind.SERVER)).toBe('http');
    expect(typeOf({ 'http.method': 'GET' }, SpanKind.CLIENT)).toBe('http');
    expect(typeOf({ 'db.system.name': 'postgresql' }, SpanKind.CLIENT)).toBe('db');
    expect(typeOf({ 'db.system': 'redis' }, SpanKind.CLIENT)).toBe('db');
    expect(typeOf({ 'rpc.system': 'grpc' }, SpanKind.CLIENT)).toBe('rpc');
    expect(typeOf({ 'messaging.system': 'kafka' }, SpanKind.PRODUCER)).toBe('messaging');
    expect(typeOf({ 'http.request.method': 'GET', 'db.system.name': 'x' })).toBe('http');
    expect(typeOf({ 'db.system': 'redis', 'rpc.system': 'grpc', 'messaging.system': 'kafka' })).toBe('db');
    expect(typeOf({ 'rpc.system': 'grpc', 'messaging.system': 'kafka' })).toBe('rpc');
  });

  it('5. the span kind in lower case', () => {
    expect(typeOf({}, SpanKind.INTERNAL)).toBe('internal');
    expect(typeOf({}, SpanKind.SERVER)).toBe('server');
    expect(typeOf({}, SpanKind.CLIENT)).toBe('client');
    expect(typeOf({}, SpanKind.PRODUCER)).toBe('producer');
    expect(typeOf({}, SpanKind.CONSUMER)).toBe('consumer');
    const unknownKind = translate({ kind: 99 as SpanKind }).create;
    expect(unknownKind).not.toHaveProperty('type');
    expect(unknownKind.meta).not.toHaveProperty('otel.kind');
  });
});

describe('translateSpan: input and output', () => {
  it('1. opper.input / opper.output: a string is kept as is, and not repeated in meta', () => {
    const { create, update } = translate({ attributes: { [ATTR_OPPER_INPUT]: 'What is 2+2?', [ATTR_OPPER_OUTPUT]: '4' } });
    expect(create.input).toBe('What is 2+2?');
    expect(update.output).toBe('4');
    expect(create.meta).not.toHaveProperty(ATTR_OPPER_INPUT);
    expect(create.meta).not.toHaveProperty(ATTR_OPPER_OUTPUT);
  });

  it('1. any other value is JSON-encoded (NaN as null)', () => {
    const { create, update } = translate({ attributes: { [ATTR_OPPER_INPUT]: [1, 2, NaN], [ATTR_OPPER_OUTPUT]: 42 } });
    expect(create.input).toBe('[1,2,null]');
    expect(update.output).toBe('42');
    expect(translate({ attributes: { [ATTR_OPPER_OUTPUT]: false } }).update.output).toBe('false');
    expect(translate({ attributes: { [ATTR_OPPER_INPUT]: ['a', null, 'b'] } }).create.input).toBe('["a",null,"b"]');
  });

  it('1. opper.input wins over the GenAI messages, which then stay in meta', () => {
    const { create } = translate({ attributes: { [ATTR_OPPER_INPUT]: 'mine', 'gen_ai.input.messages': '[]' } });
    expect(create.input).toBe('mine');
    expect(create.meta['gen_ai.input.messages']).toBe('[]');
  });

  it('2. gen_ai.input.messages / gen_ai.output.messages: JSON strings kept byte for byte', () => {
    const input = '[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]';
    const output = '[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"stop"}]';
    const { create, update } = translate({
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': input, 'gen_ai.output.messages': output },
    });
    expect(create.input).toBe(input);
    expect(update.output).toBe(output);
    expect(create.meta).not.toHaveProperty('gen_ai.input.messages');
    expect(create.meta).not.toHaveProperty('gen_ai.output.messages');
  });

  it('2. non-string messages are JSON-encoded', () => {
    const { create } = translate({ attributes: { 'gen_ai.input.messages': ['a', 'b'] } });
    expect(create.input).toBe('["a","b"]');
  });

  it('2. tool call arguments and result, after the messages', () => {
    const { create, update } = translate({
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.call.arguments': '{"city":"Paris"}',
        'gen_ai.tool.call.result': '{"temp":21}',
      },
    });
    expect(create.type).toBe('tool');
    expect(create.input).toBe('{"city":"Paris"}');
    expect(update.output).toBe('{"temp":21}');
    expect(create.meta).not.toHaveProperty('gen_ai.tool.call.arguments');
    expect(create.meta).not.toHaveProperty('gen_ai.tool.call.result');
    const both = translate({ attributes: { 'gen_ai.input.messages': '[1]', 'gen_ai.tool.call.arguments': '{}' } }).create;
    expect(both.input).toBe('[1]');
    expect(both.meta['gen_ai.tool.call.arguments']).toBe('{}');
  });
});

describe('translateSpan: error', () => {
  const exception = (attributes: Record<string, string>) => ({ name: 'exception', time: [1710928800, 5] as [number, number], attributes });
  const errorOf = (fields: SpanFields) => translate(fields).update.error;

  it('is set only when the status code is ERROR', () => {
    const events = [exception({ 'exception.type': 'TypeError', 'exception.message': 'boom' })];
    expect(errorOf({ events, status: { code: SpanStatusCode.UNSET } })).toBeUndefined();
    expect(errorOf({ events, status: { code: SpanStatusCode.OK, message: 'fine' } })).toBeUndefined();
    expect(errorOf({ events, status: { code: SpanStatusCode.ERROR, message: 'status says' } })).toBe('TypeError: boom');
  });

  it('uses the first exception event, then the status message, then "Error"', () => {
    const error = { code: SpanStatusCode.ERROR, message: 'status says' };
    const events = [
      { name: 'log', time: [1, 0] as [number, number], attributes: { 'exception.type': 'NotThisOne' } },
      exception({ 'exception.type': 'RangeError', 'exception.message': 'first' }),
      exception({ 'exception.type': 'Other', 'exception.message': 'second' }),
    ];
    expect(errorOf({ events, status: error })).toBe('RangeError: first');
    expect(errorOf({ events: [exception({ 'exception.type': 'TimeoutError' })], status: error })).toBe('TimeoutError');
    expect(errorOf({ events: [exception({ 'exception.message': 'only a message' })], status: error })).toBe('only a message');
    expect(errorOf({ events: [exception({})], status: error })).toBe('status says');
    expect(errorOf({ status: error })).toBe('status says');
    expect(errorOf({ status: { code: SpanStatusCode.ERROR } })).toBe('Error');
    expect(errorOf({ status: { code: SpanStatusCode.ERROR, message: '' } })).toBe('Error');
  });

  it('keeps the exception event in meta', () => {
    const { create } = translate({
      status: { code: SpanStatusCode.ERROR },
      events: [exception({ 'exception.type': 'E', 'exception.message': 'm' })],
    });
    expect(create.meta['otel.events']).toEqual([
      { name: 'exception', time: '2024-03-20T10:00:00.000000Z', attributes: { 'exception.type': 'E', 'exception.message': 'm' } },
    ]);
  });
});

describe('translateSpan: score', () => {
  it('a finite number is rounded and not repeated in meta', () => {
    for (const [value, score] of [
      [7, 7],
      [7.5, 8],
      [7.4, 7],
      [-2.6, -3],
      [0, 0],
      [-0.2, 0],
    ] as const) {
      const { create, update } = translate({ attributes: { [ATTR_OPPER_SCORE]: value } });
      expect(update.score).toBe(score);
      expect(Object.is(update.score, -0)).toBe(false);
      expect(create.meta).not.toHaveProperty(ATTR_OPPER_SCORE);
    }
  });

  it('other values stay in meta only', () => {
    for (const value of ['9', true, [1, 2], NaN, Infinity, 1e300]) {
      const { create, update } = translate({ attributes: { [ATTR_OPPER_SCORE]: value as never } });
      expect(update).not.toHaveProperty('score');
      expect(create.meta).toHaveProperty([ATTR_OPPER_SCORE]);
    }
    expect(translate({ attributes: { [ATTR_OPPER_SCORE]: NaN } }).create.meta[ATTR_OPPER_SCORE]).toBeNull();
  });
});

describe('translateSpan: meta', () => {
  it('holds the attributes, kind, status, scope, ids, events, links, dropped counts and resource', () => {
    const { create } = translate({
      kind: SpanKind.CLIENT,
      parentSpanContext: { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1 },
      status: { code: SpanStatusCode.ERROR, message: 'went wrong' },
      attributes: { 'http.request.method': 'GET', 'server.port': 443, retry: true, tags: ['a', 'b'], codes: [200, 404] },
      events: [
        { name: 'cache.miss', time: [1710928800, 1_000], attributes: { key: 'user:1' } },
        { name: 'bare', time: [1710928800, 2_000_000_000], droppedAttributesCount: 2 },
      ],
      links: [
        {
          context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 },
          attributes: { why: 'batch' },
        },
        { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4737', spanId: '00f067aa0ba902b8', traceFlags: 0 }, droppedAttributesCount: 1 },
      ],
      resource: { 'service.name': 'shop', 'service.version': '1.2.3' },
      instrumentationScope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
      droppedAttributesCount: 3,
      droppedEventsCount: 0,
      droppedLinksCount: 5,
    });
    expect(create.meta).toEqual({
      'http.request.method': 'GET',
      'server.port': 443,
      retry: true,
      tags: ['a', 'b'],
      codes: [200, 404],
      'otel.kind': 'client',
      'otel.status_code': 'ERROR',
      'otel.status_message': 'went wrong',
      'otel.scope.name': '@opentelemetry/instrumentation-http',
      'otel.scope.version': '0.223.0',
      'otel.trace_id': TRACE_ID,
      'otel.span_id': SPAN_ID,
      'otel.parent_span_id': PARENT_ID,
      'otel.events': [
        { name: 'cache.miss', time: '2024-03-20T10:00:00.000001Z', attributes: { key: 'user:1' } },
        { name: 'bare', time: '2024-03-20T10:00:02.000000Z', dropped_attributes_count: 2 },
      ],
      'otel.links': [
        { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', attributes: { why: 'batch' } },
        { trace_id: '4bf92f3577b34da6a3ce929d0e0e4737', span_id: '00f067aa0ba902b8', dropped_attributes_count: 1 },
      ],
      'otel.dropped_attributes_count': 3,
      'otel.dropped_links_count': 5,
      resource: { 'service.name': 'shop', 'service.version': '1.2.3' },
    });
  });

  it('writes status OK, leaves UNSET out, and reads the SDK 1.x instrumentationLibrary', () => {
    const ok = translate({ status: { code: SpanStatusCode.OK }, instrumentationLibrary: { name: 'old-lib', version: '0.1' } }).create.meta;
    expect(ok['otel.status_code']).toBe('OK');
    expect(ok).not.toHaveProperty('otel.status_message');
    expect(ok['otel.scope.name']).toBe('old-lib');
    expect(ok['otel.scope.version']).toBe('0.1');
    const unset = translate().create.meta;
    expect(unset).not.toHaveProperty('otel.status_code');
    for (const key of [
      'otel.events',
      'otel.links',
      'otel.parent_span_id',
      'otel.dropped_attributes_count',
      'otel.dropped_events_count',
      'otel.dropped_links_count',
    ]) {
      expect(unset).not.toHaveProperty(key);
    }
  });

  it('drops attributes whose value is undefined or null', () => {
    const meta = translate({ attributes: { a: undefined, b: null as never, c: 'kept' } }).create.meta;
    expect(meta).not.toHaveProperty('a');
    expect(meta).not.toHaveProperty('b');
    expect(meta.c).toBe('kept');
  });

  it('keeps an attribute named __proto__ as an ordinary key', () => {
    const attributes = JSON.parse('{"__proto__": "x", "plain": 1}');
    const { create } = parse(translateSpan(makeSpan({ attributes }), OPTIONS));
    expect(Object.getOwnPropertyDescriptor(create.meta, '__proto__')?.value).toBe('x');
  });
});

describe('translateSpan: values Opper cannot store', () => {
  it('turns lone surrogates and NUL into U+FFFD in names, keys and values, keeping valid pairs', () => {
    const { create, update } = translate({
      name: 'bad\ud800name\u0000',
      status: { code: SpanStatusCode.ERROR, message: 'oops\udc00' },
      attributes: {
        'key\u0000x': 'value\ud800',
        list: ['a\u0000', 'ok', 'b\udfff'],
        emoji: 'smile 😀',
        [ATTR_OPPER_INPUT]: 'in\u0000put',
      },
      events: [{ name: 'ev\ud800', time: [1, 0], attributes: { 'k\ud800': 'v\u0000' } }],
      resource: { 'service.name': 'svc\u0000' },
    });
    expect(create.name).toBe('bad\ufffdname\ufffd');
    expect(create.meta['key\ufffdx']).toBe('value\ufffd');
    expect(create.meta.list).toEqual(['a\ufffd', 'ok', 'b\ufffd']);
    expect(create.meta.emoji).toBe('smile 😀');
    expect(create.input).toBe('in\ufffdput');
    expect(update.error).toBe('oops\ufffd');
    expect(create.meta['otel.events']).toEqual([
      { name: 'ev\ufffd', time: '1970-01-01T00:00:01.000000Z', attributes: { 'k\ufffd': 'v\ufffd' } },
    ]);
    expect(create.meta.resource).toEqual({ 'service.name': 'svc\ufffd' });
    for (const s of [...allStrings(create), ...allStrings(update)]) expect(hasBadChars(s)).toBe(false);
  });

  it('sends no escaped lone surrogate or NUL in the JSON text', () => {
    const translated = translateSpan(makeSpan({ attributes: { [ATTR_OPPER_INPUT]: ['x\ud800', 'y\u0000'], z: ['\udc00'] } }), OPTIONS);
    expect(translated.create).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
  });

  it('writes NaN and ±Infinity as null', () => {
    const { create } = translate({ attributes: { nan: NaN, inf: Infinity, ninf: -Infinity, list: [1, NaN, -Infinity] } });
    expect(create.meta).toMatchObject({ nan: null, inf: null, ninf: null, list: [1, null, null] });
  });

  it('does not change the span it reads', () => {
    const list = ['a\u0000', NaN];
    const span = makeSpan({ attributes: { list: list as never } });
    translateSpan(span, OPTIONS);
    expect(list[0]).toBe('a\u0000');
    expect(Number.isNaN(list[1])).toBe(true);
  });
});

describe('translateSpan: never throws', () => {
  it('accepts attributes of any type, even ones OTel forbids', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    const attributes = {
      big: 10n,
      fn: () => 1,
      sym: Symbol('s'),
      obj: { nested: { deep: 'x\u0000' } },
      date: new Date(0),
      cyclic,
      sparse: [1, undefined, 3],
      mixed: [undefined, null, 'a', 1, true],
      throwing: {
        toJSON: () => {
          throw new Error('nope');
        },
      },
    } as never;
    const translated = translateSpan(makeSpan({ attributes }), OPTIONS);
    const { create } = parse(translated);
    expect(create.meta.big).toBe('10');
    expect(create.meta).not.toHaveProperty('fn');
    expect(create.meta.obj).toEqual({ nested: { deep: 'x\ufffd' } });
    expect(create.meta.date).toBe('1970-01-01T00:00:00.000Z');
    expect(create.meta.sparse).toEqual([1, null, 3]);
    expect(create.meta.mixed).toEqual([null, null, 'a', 1, true]);
    expect(typeof create.meta.throwing).toBe('string');
  });

  it('still produces a body for a span whose getters throw', () => {
    const span = {
      ...makeSpan({ name: 'fragile' }),
      get attributes(): never {
        throw new Error('attributes exploded');
      },
    } as ReadableSpanLike;
    const translated = translateSpan(span, OPTIONS);
    const { create, update } = parse(translated);
    expect(create).toMatchObject({
      id: 'b7ad6b71-6920-3331-8448-eb211c80319c',
      name: 'fragile',
      start_time: '2024-03-20T10:00:00.123456Z',
    });
    expect(create.meta['opper.translate_error']).toContain('attributes exploded');
    expect(update).toEqual({ end_time: '2024-03-20T10:00:01.000005Z' });
    const empty = translateSpan({} as ReadableSpanLike, OPTIONS);
    expect(empty.id).toMatch(UUID);
    expect(parse(empty).create.name).toBe('unnamed');
  });

  it('uses a default limit when the limit is not a positive number', () => {
    for (const maxBodyBytes of [NaN, 0, -1]) {
      const translated = translateSpan(makeSpan({ attributes: { big: 'x'.repeat(600 * 1024) } }), { maxBodyBytes });
      expect(Buffer.byteLength(translated.create)).toBeLessThanOrEqual(512 * 1024);
    }
  });
});

describe('translateSpan: spans made by the OTel SDK', () => {
  it('translates a server span with a child', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('sdk-test', '9.9.9');
    const parent = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } });
    const child = tracer.startSpan(
      'chat gpt-4o',
      { attributes: { 'gen_ai.operation.name': 'chat' } },
      trace.setSpan(context.active(), parent),
    );
    child.recordException(new TypeError('bad input'));
    child.setStatus({ code: SpanStatusCode.ERROR });
    child.end();
    parent.end();
    const [childSpan, parentSpan] = exporter.getFinishedSpans();
    const p = translateSpan(parentSpan, OPTIONS);
    const c = translateSpan(childSpan, OPTIONS);
    expect(c.parentId).toBe(p.id);
    expect(c.traceId).toBe(p.traceId);
    const parentSpanContext = parentSpan.spanContext();
    expect(p.traceId.replaceAll('-', '')).toBe(parentSpanContext.traceId);
    expect(p.id.slice(0, 19).replaceAll('-', '')).toBe(parentSpanContext.spanId);
    const pb = parse(p);
    expect(pb.create).toMatchObject({ name: 'GET /cart', type: 'http' });
    expect(pb.create.meta).toMatchObject({
      'otel.kind': 'server',
      'otel.scope.name': 'sdk-test',
      'otel.scope.version': '9.9.9',
      resource: { 'service.name': 'checkout' },
    });
    expect(pb.create.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(pb.update.end_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const cb = parse(c);
    expect(cb.create.type).toBe('llm');
    expect(cb.update.error).toBe('TypeError: bad input');
    expect((cb.create.meta['otel.events'] as { name: string }[])[0].name).toBe('exception');
  });
});
