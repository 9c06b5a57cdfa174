// Vercel AI SDK telemetry span shapes, from its documentation (ai-sdk.dev, "Telemetry": the
// span details of generateText, streamText, generateObject, embed, embedMany and tool calls) and
// from `ai` 6.0.326 with `@ai-sdk/openai` (test/llm/vercel-ai.test.ts runs the real thing).
import { describe, expect, it } from '@jest/globals';
import { STUB_CALL_META, json, keysWith, msg, translate } from './llm-helpers.js';

const AI = { name: 'ai' };
const base = (operationId: string) => ({
  'operation.name': `${operationId} my-function`,
  'ai.operationId': operationId,
  'ai.telemetry.functionId': 'my-function',
  'ai.model.provider': 'openai.chat',
  'ai.model.id': 'gpt-4o-mini',
});

describe('Vercel AI SDK', () => {
  it('ai.generateText.doGenerate: the provider prompt as messages, the text as output, usage with details', () => {
    const seen = translate({
      name: 'ai.generateText.doGenerate',
      instrumentationScope: AI,
      attributes: {
        ...base('ai.generateText.doGenerate'),
        'ai.prompt.messages': JSON.stringify([
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: [{ type: 'text', text: 'What is the capital of Sweden?' }] },
        ]),
        'gen_ai.system': 'openai.chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'ai.response.finishReason': 'stop',
        'ai.response.text': 'Stockholm.',
        'ai.response.model': 'gpt-4o-mini-2024-07-18',
        'ai.usage.inputTokens': 21,
        'ai.usage.outputTokens': 9,
        'ai.usage.inputTokenDetails.cacheReadTokens': 4,
        'ai.usage.outputTokenDetails.reasoningTokens': 3,
        'gen_ai.usage.input_tokens': 21,
        'gen_ai.usage.output_tokens': 9,
      },
    });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual([msg('system', 'You are terse.'), msg('user', 'What is the capital of Sweden?')]);
    expect(seen.output).toBe('Stockholm.');
    expect(seen.meta).toMatchObject(STUB_CALL_META);
    expect(seen.meta).not.toHaveProperty('ai.prompt.messages');
    expect(seen.meta).not.toHaveProperty('ai.response.text');
  });

  it('tool calls in the response: one assistant message with the calls; tool results in the history', () => {
    const seen = translate({
      attributes: {
        ...base('ai.generateText.doGenerate'),
        'ai.prompt.messages': JSON.stringify([
          { role: 'user', content: [{ type: 'text', text: 'Weather in Stockholm?' }] },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Stockholm' } }] },
          {
            role: 'tool',
            content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { type: 'json', value: { temp: 21 } } }],
          },
        ]),
        'ai.response.finishReason': 'tool-calls',
        'ai.response.toolCalls': JSON.stringify([{ toolCallId: 'c2', toolName: 'forecast', input: '{"days":2}' }]),
        'ai.response.text': '',
      },
    });
    expect(json(seen.input)).toEqual([
      msg('user', 'Weather in Stockholm?'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Stockholm' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: { temp: 21 } }] },
    ]);
    expect(json(seen.output)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c2', name: 'forecast', arguments: { days: 2 } }],
        finish_reason: 'tool-calls',
      },
    ]);
    expect(seen.meta).not.toHaveProperty('ai.response.toolCalls');
  });

  it('AI SDK 4 shapes: args, result, promptTokens/completionTokens, ai.result.* (v3)', () => {
    const v4 = translate({
      attributes: {
        ...base('ai.streamText.doStream'),
        'ai.prompt.messages': JSON.stringify([
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', args: { city: 'Oslo' } }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', result: 'rain' }] },
        ]),
        'ai.response.text': 'It rains.',
        'ai.usage.promptTokens': 12,
        'ai.usage.completionTokens': 3,
      },
    });
    expect(json(v4.input)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Oslo' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'rain' }] },
    ]);
    expect(v4.meta).toMatchObject({ 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 3 });
    expect(translate({ attributes: { ...base('ai.generateText.doGenerate'), 'ai.result.text': 'old' } }).output).toBe('old');
  });

  it('ai.generateText (outer): an agent; a lone prompt stays plain text; system first otherwise; usage not counted twice', () => {
    const plain = translate({
      attributes: { ...base('ai.generateText'), 'ai.prompt': '{"prompt":"Hello there"}', 'ai.response.text': 'Hi!' },
    });
    expect(plain.type).toBe('agent');
    expect(plain.input).toBe('Hello there');
    expect(plain.output).toBe('Hi!');

    const withSystem = translate({
      attributes: {
        ...base('ai.generateText'),
        'ai.prompt': JSON.stringify({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }] }),
        'ai.usage.inputTokens': 42,
        'ai.usage.outputTokens': 18,
        'ai.usage.inputTokenDetails.cacheReadTokens': 8,
      },
    });
    expect(json(withSystem.input)).toEqual([msg('system', 'Be brief.'), msg('user', 'Hello')]);
    // The outer span sums its steps: its usage moves out of gen_ai.usage.* (Opper sums those per trace).
    expect(keysWith(withSystem.meta, 'gen_ai.usage.')).toEqual([]);
    expect(withSystem.meta).toMatchObject({
      'ai.usage.inputTokens': 42,
      'opper.aggregate.gen_ai.usage.input_tokens': 42,
      'opper.aggregate.gen_ai.usage.output_tokens': 18,
      'opper.aggregate.gen_ai.usage.cache_read.input_tokens': 8,
      'gen_ai.request.model': 'gpt-4o-mini',
    });
  });

  it('ai.generateObject: the object as output', () => {
    const seen = translate({
      attributes: {
        ...base('ai.generateObject'),
        'ai.prompt': '{"system":"Extract.","prompt":"Ann is 31"}',
        'ai.response.object': '{"name":"Ann","age":31}',
      },
    });
    expect(seen.type).toBe('agent');
    expect(json(seen.input)).toEqual([msg('system', 'Extract.'), msg('user', 'Ann is 31')]);
    expect(seen.output).toBe('{"name":"Ann","age":31}');
  });

  it('ai.toolCall: a tool span with its arguments and result', () => {
    const seen = translate({
      attributes: {
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'weather',
        'ai.toolCall.id': 'c1',
        'ai.toolCall.args': '{"city":"Stockholm"}',
        'ai.toolCall.result': '{"temp":21}',
      },
    });
    expect(seen).toMatchObject({ type: 'tool', input: '{"city":"Stockholm"}', output: '{"temp":21}' });
    expect(seen.meta).toMatchObject({ 'ai.toolCall.name': 'weather', 'ai.toolCall.id': 'c1' });
    expect(seen.meta).not.toHaveProperty('ai.toolCall.args');
  });

  it('ai.embed and ai.embedMany: the values in input, the vectors in output, tokens once', () => {
    const outer = translate({
      attributes: { ...base('ai.embed'), 'ai.value': '"sunny day"', 'ai.embedding': '[0.1,0.2]', 'ai.usage.tokens': 5 },
    });
    expect(outer).toMatchObject({ type: 'embedding', input: 'sunny day', output: '[0.1,0.2]' });
    expect(outer.meta['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(outer.meta['opper.aggregate.gen_ai.usage.input_tokens']).toBe(5);

    const inner = translate({
      attributes: {
        ...base('ai.embedMany.doEmbed'),
        'ai.values': ['"a"', '"b"'],
        'ai.embeddings': ['[0.1]', '[0.2]'],
        'ai.usage.tokens': 2,
      },
    });
    expect(inner.type).toBe('embedding');
    expect(json(inner.input)).toEqual(['a', 'b']);
    expect(json(inner.output)).toEqual([[0.1], [0.2]]);
    expect(inner.meta['gen_ai.usage.input_tokens']).toBe(2);
  });

  it('broken JSON is kept as it is and never throws', () => {
    const seen = translate({
      attributes: { ...base('ai.generateText.doGenerate'), 'ai.prompt.messages': '[{"role":"user"', 'ai.response.toolCalls': '[oops' },
    });
    expect(seen.type).toBe('llm');
    expect(seen.input).toBe('[{"role":"user"');
    expect(seen.output).toBe('[oops');
    const outer = translate({ attributes: { ...base('ai.generateText'), 'ai.prompt': 'not json' } });
    expect(outer.input).toBe('not json');
  });
});
