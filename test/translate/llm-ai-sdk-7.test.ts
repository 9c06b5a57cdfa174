// AI SDK 7 spans (`ai` 7.0.173, `@ai-sdk/otel` 1.0.173 with `new OpenTelemetry({ embedding: true,
// usage: true })`, `@ai-sdk/openai` 4.0.118 against examples/openai-stub.mjs): the attributes
// below are copied from a real run of test/compat/ai-sdk-7/app.mjs --dump, which
// test/compat/ai-sdk-7.mjs runs end to end on Node 24.
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from '@jest/globals';
import { json, keysWith, msg, STUB_CALL_META, translate } from './llm-helpers.js';

const GEN_AI = { name: 'gen_ai' };
const VECTOR = '[0.21649484536082475,0.4329896907216495,0.6494845360824743,0.865979381443299]';
const EMBEDDING = {
  'gen_ai.operation.name': 'embeddings',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'text-embedding-3-small',
};
const USAGE_DETAILS = {
  'ai.usage.inputTokenDetails.noCacheTokens': 17,
  'ai.usage.outputTokenDetails.textTokens': 6,
  'ai.usage.outputTokenDetails.reasoningTokens': 3,
};
const SYSTEM = '[{"type":"text","content":"You are a terse weather assistant."}]';
const ASK = '[{"role":"user","parts":[{"type":"text","content":"What is the weather in Stockholm?"}]}]';
const TOOL_CALL = { type: 'tool_call', id: 'call_stub_1', name: 'get_weather', arguments: { city: 'Stockholm' } };
const TOOL_RESULT = { type: 'tool_call_response', id: 'call_stub_1', response: { city: 'Stockholm', weather: 'sunny, 21 C' } };
const ANSWER = 'The tool said: {"city":"Stockholm","weather":"sunny, 21 C"}';

describe('AI SDK 7 embeddings (`embedding: true`): the value in input, the vectors in output', () => {
  it('the embed operation span: ai.value and ai.embedding, no usage of its own', () => {
    const seen = translate({
      name: 'embeddings text-embedding-3-small',
      kind: SpanKind.CLIENT,
      instrumentationScope: GEN_AI,
      attributes: { ...EMBEDDING, 'ai.value': '"Stockholm archipelago"', 'ai.embedding': VECTOR },
    });
    expect(seen.type).toBe('embedding');
    expect(seen.input).toBe('Stockholm archipelago');
    expect(json(seen.output)).toEqual(JSON.parse(VECTOR));
    expect(seen.meta).not.toHaveProperty('ai.value');
    expect(seen.meta).not.toHaveProperty('ai.embedding');
    expect(keysWith(seen.meta, 'gen_ai.usage.')).toEqual([]);
  });

  it('the provider call span: ai.values and ai.embeddings (lists), and the token count', () => {
    const seen = translate({
      name: 'embeddings text-embedding-3-small',
      kind: SpanKind.CLIENT,
      instrumentationScope: GEN_AI,
      attributes: { ...EMBEDDING, 'ai.values': ['"Stockholm archipelago"'], 'gen_ai.usage.input_tokens': 5, 'ai.embeddings': [VECTOR] },
    });
    expect(seen.type).toBe('embedding');
    expect(seen.input).toBe('Stockholm archipelago');
    expect(json(seen.output)).toEqual([JSON.parse(VECTOR)]);
    expect(seen.meta).not.toHaveProperty('ai.values');
    expect(seen.meta).not.toHaveProperty('ai.embeddings');
    expect(seen.meta['gen_ai.usage.input_tokens']).toBe(5);
  });
});

// These shapes were already read right before AI SDK 7 support was added; they guard it.
describe('AI SDK 7 generateText with a tool (regression guards)', () => {
  it('invoke_agent: an agent with the prompt and answer; its summed usage only under opper.aggregate.*', () => {
    const seen = translate({
      name: 'invoke_agent gpt-4o-mini',
      kind: SpanKind.INTERNAL,
      instrumentationScope: GEN_AI,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.agent.name': 'weather-agent',
        'gen_ai.system_instructions': SYSTEM,
        'gen_ai.input.messages': ASK,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 42,
        'gen_ai.usage.output_tokens': 18,
        'gen_ai.usage.cache_read.input_tokens': 8,
        'ai.usage.inputTokenDetails.noCacheTokens': 34,
        'ai.usage.outputTokenDetails.textTokens': 12,
        'ai.usage.outputTokenDetails.reasoningTokens': 6,
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: ANSWER }, TOOL_CALL, TOOL_RESULT], finish_reason: 'stop' },
        ]),
      },
    });
    expect(seen.type).toBe('agent');
    expect(json(seen.input)).toEqual([
      msg('system', 'You are a terse weather assistant.'),
      msg('user', 'What is the weather in Stockholm?'),
    ]);
    expect(json(seen.output)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: ANSWER }, TOOL_CALL, TOOL_RESULT], finish_reason: 'stop' },
    ]);
    expect(keysWith(seen.meta, 'gen_ai.usage.')).toEqual([]);
    expect(seen.meta).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.agent.name': 'weather-agent',
      'opper.aggregate.gen_ai.usage.input_tokens': 42,
      'opper.aggregate.gen_ai.usage.output_tokens': 18,
      'opper.aggregate.gen_ai.usage.cache_read.input_tokens': 8,
      'opper.aggregate.gen_ai.usage.reasoning.output_tokens': 6,
    });
  });

  it('step N (agent_step): no usage keys, whatever token details it carries', () => {
    const seen = translate({
      name: 'step 1',
      kind: SpanKind.INTERNAL,
      instrumentationScope: GEN_AI,
      attributes: { 'gen_ai.operation.name': 'agent_step', ...USAGE_DETAILS },
    });
    expect(seen.type).toBe('internal');
    expect(keysWith(seen.meta, 'gen_ai.usage.')).toEqual([]);
    expect(keysWith(seen.meta, 'opper.aggregate.')).toEqual([]);
  });

  it('chat: the model call, with its history, the tool call it answered, and its own usage', () => {
    const seen = translate({
      name: 'chat gpt-4o-mini',
      kind: SpanKind.CLIENT,
      instrumentationScope: GEN_AI,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.system_instructions': SYSTEM,
        'gen_ai.input.messages': ASK,
        'gen_ai.response.finish_reasons': ['tool-calls'],
        'gen_ai.response.id': 'chatcmpl-stub-5',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 21,
        'gen_ai.usage.output_tokens': 9,
        'gen_ai.usage.cache_read.input_tokens': 4,
        ...USAGE_DETAILS,
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [TOOL_CALL], finish_reason: 'tool_call' }]),
      },
    });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual([
      msg('system', 'You are a terse weather assistant.'),
      msg('user', 'What is the weather in Stockholm?'),
    ]);
    expect(json(seen.output)).toEqual([{ role: 'assistant', parts: [TOOL_CALL], finish_reason: 'tool_call' }]);
    expect(seen.meta).toMatchObject(STUB_CALL_META);
    expect(keysWith(seen.meta, 'opper.aggregate.')).toEqual([]);
  });

  it('execute_tool: the arguments in input, the result in output', () => {
    const seen = translate({
      name: 'execute_tool get_weather',
      kind: SpanKind.INTERNAL,
      instrumentationScope: GEN_AI,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        'gen_ai.tool.call.id': 'call_stub_1',
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.call.arguments': '{"city":"Stockholm"}',
        'gen_ai.tool.call.result': '{"city":"Stockholm","weather":"sunny, 21 C"}',
      },
    });
    expect(seen.type).toBe('tool');
    expect(json(seen.input)).toEqual({ city: 'Stockholm' });
    expect(json(seen.output)).toEqual({ city: 'Stockholm', weather: 'sunny, 21 C' });
  });
});
