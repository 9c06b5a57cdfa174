// How the LLM dialects combine: precedence when a span carries several, the usage double-count
// rule, and malformed data (never throws, never loses the span, raw attributes stay in meta).
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from '@jest/globals';
import { translateSpan } from '../../src/translate/index.js';
import { allStrings, hasBadChars, makeSpan, parse } from './helpers.js';
import { json, keysWith, msg, translate } from './llm-helpers.js';

describe('precedence between dialects', () => {
  it('the current GenAI attributes win over every other dialect, field by field', () => {
    const seen = translate({
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': JSON.stringify([msg('user', 'from gen_ai')]),
        'openinference.span.kind': 'CHAIN',
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.content': 'from openinference',
        'output.value': 'from openinference',
      },
    });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual([msg('user', 'from gen_ai')]);
    expect(seen.output).toBe('from openinference'); // no gen_ai output: the next dialect answers
    expect(seen.meta['llm.input_messages.0.message.content']).toBe('from openinference'); // not used, so kept
  });

  it('a Vercel span that also carries gen_ai.* keys reads as Vercel', () => {
    const seen = translate({
      attributes: {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.prompt.messages': '[{"role":"user","content":"Hi"}]',
        'ai.response.text': 'Hello',
        'gen_ai.system': 'openai.chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 3,
      },
    });
    expect(seen).toMatchObject({ type: 'llm', output: 'Hello' });
    expect(json(seen.input)).toEqual([msg('user', 'Hi')]);
    expect(seen.meta['gen_ai.usage.input_tokens']).toBe(3);
  });

  it('OpenInference before Vercel before Traceloop before the deprecated GenAI forms', () => {
    expect(translate({ attributes: { 'openinference.span.kind': 'TOOL', 'ai.operationId': 'ai.generateText' } }).type).toBe('tool');
    expect(translate({ attributes: { 'ai.operationId': 'ai.toolCall', 'traceloop.span.kind': 'workflow' } }).type).toBe('tool');
    const seen = translate({
      attributes: { 'traceloop.span.kind': 'task', 'traceloop.entity.input': '"entity"', 'gen_ai.prompt': 'legacy' },
    });
    expect(seen.input).toBe('entity');
    expect(seen.meta['gen_ai.prompt']).toBe('legacy');
  });

  it('a model attribute alone means llm (embedding model: embedding); opper.type still wins', () => {
    expect(translate({ attributes: { 'gen_ai.request.model': 'gpt-4o' } }).type).toBe('llm');
    expect(translate({ attributes: { 'llm.model_name': 'claude' } }).type).toBe('llm');
    expect(translate({ attributes: { 'embedding.model_name': 'bge' } }).type).toBe('embedding');
    expect(translate({ attributes: { 'gen_ai.request.model': 'gpt-4o', 'opper.type': 'judge' } }).type).toBe('judge');
  });

  it('spans of no LLM dialect get no gen_ai.* meta', () => {
    const seen = translate({ kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': '/' } });
    expect(seen.type).toBe('http');
    expect(keysWith(seen.meta, 'gen_ai.')).toEqual([]);
    expect(seen.input).toBeUndefined();
  });
});

describe('usage is counted once', () => {
  it('an in-process GenAI agent (invoke_agent, kind INTERNAL) keeps its roll-up out of gen_ai.usage.*', () => {
    const { meta, type } = translate({
      kind: SpanKind.INTERNAL,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'planner',
        'gen_ai.usage.input_tokens': 300,
        'gen_ai.usage.output_tokens': 40,
      },
    });
    expect(type).toBe('agent');
    expect(keysWith(meta, 'gen_ai.usage.')).toEqual([]);
    expect(meta).toMatchObject({ 'opper.aggregate.gen_ai.usage.input_tokens': 300, 'opper.aggregate.gen_ai.usage.output_tokens': 40 });
  });

  it('a remote agent (invoke_agent, kind CLIENT) keeps its usage: its model calls are not in the trace', () => {
    const { meta } = translate({
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 300 },
    });
    expect(meta['gen_ai.usage.input_tokens']).toBe(300);
  });

  it('token counts written as digit strings are normalised to numbers; nonsense is left raw only', () => {
    const { meta } = translate({
      attributes: {
        'llm.model_name': 'm',
        'llm.token_count.prompt': '12',
        'llm.token_count.completion': -3,
        'gen_ai.usage.output_tokens': 'many',
      },
    });
    expect(meta['gen_ai.usage.input_tokens']).toBe(12);
    expect(meta['gen_ai.usage.output_tokens']).toBe('many'); // the raw attribute, untouched
  });
});

describe('malformed dialect data', () => {
  const GARBAGE: unknown[] = [
    '',
    '[',
    '{',
    'null',
    '[null]',
    '[1,2]',
    '{"role":1}',
    '[{"role":{}}]',
    42,
    -1,
    true,
    [],
    ['a', 'b'],
    [1, 2],
    '\u0000\ud800',
  ];
  const KEYS = [
    'gen_ai.input.messages',
    'gen_ai.output.messages',
    'gen_ai.system_instructions',
    'gen_ai.prompt',
    'gen_ai.prompt.0.content',
    'gen_ai.prompt.0.role',
    'gen_ai.prompt.0.tool_calls.0.arguments',
    'gen_ai.completion.1.content',
    'llm.input_messages.0.message.content',
    'llm.input_messages.0.message.role',
    'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments',
    'input.value',
    'output.value',
    'embedding.embeddings.0.embedding.vector',
    'retrieval.documents.0.document.metadata',
    'ai.prompt',
    'ai.prompt.messages',
    'ai.response.toolCalls',
    'ai.values',
    'ai.embeddings',
    'traceloop.entity.input',
    'llm.token_count.prompt',
    'ai.usage.inputTokens',
  ];
  const DIALECT_MARKERS = [
    {},
    { 'openinference.span.kind': 'LLM' },
    { 'openinference.span.kind': 'EMBEDDING' },
    { 'openinference.span.kind': 'RETRIEVER' },
    { 'ai.operationId': 'ai.generateText' },
    { 'ai.operationId': 'ai.generateText.doGenerate' },
    { 'ai.operationId': 'ai.embedMany.doEmbed' },
    { 'traceloop.span.kind': 'workflow' },
    { 'gen_ai.system': 'openai' },
  ];

  it('never throws and never loses the span: unused raw attributes stay in meta', () => {
    for (const marker of DIALECT_MARKERS) {
      for (const value of GARBAGE) {
        const attributes = { ...marker } as Record<string, unknown>;
        for (const key of KEYS) attributes[key] = value;
        const span = makeSpan({
          attributes: attributes as never,
          events: [
            { name: 'gen_ai.choice', time: [1, 0], attributes: { message: value as never, index: value as never } },
            { name: 'gen_ai.client.inference.operation.details', time: [1, 0], attributes: { 'gen_ai.input.messages': value as never } },
          ],
        });
        const { create, update } = parse(translateSpan(span, { maxBodyBytes: 512 * 1024 }));
        expect(create.meta['opper.translate_error']).toBeUndefined();
        expect(create.meta['otel.span_id']).toBe('b7ad6b7169203331');
        expect(typeof update.end_time).toBe('string');
        expect(allStrings({ create, update }).filter(hasBadChars)).toEqual([]);
      }
    }
  });

  it('a huge message list is kept whole as text (the size caps cut it), not converted', () => {
    const messages = Array.from({ length: 5000 }, (_, i) => ({ role: 'user', content: `message ${i}` }));
    const seen = translate({ attributes: { 'ai.operationId': 'ai.streamText.doStream', 'ai.prompt.messages': JSON.stringify(messages) } });
    expect(seen.input!.startsWith('[{"role":"user","content":"message 0"}')).toBe(true);
  });

  it('hundreds of indexed messages convert in order', () => {
    const attributes: Record<string, string> = { 'openinference.span.kind': 'LLM' };
    for (let i = 0; i < 120; i++) {
      attributes[`llm.input_messages.${i}.message.role`] = i % 2 ? 'assistant' : 'user';
      attributes[`llm.input_messages.${i}.message.content`] = `m${i}`;
    }
    const list = json(translate({ attributes }).input) as { parts: { content: string }[] }[];
    expect(list).toHaveLength(120);
    expect(list.map((m) => m.parts[0]!.content)).toEqual(Array.from({ length: 120 }, (_, i) => `m${i}`));
  });
});
