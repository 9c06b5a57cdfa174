// OpenLLMetry / Traceloop span shapes, from its semantic conventions
// (@traceloop/ai-semantic-conventions: traceloop.span.kind, traceloop.entity.*, llm.request.type)
// and its SDK's workflow/task/agent/tool decorators.
import { describe, expect, it } from '@jest/globals';
import { json, keysWith, msg, translate } from './llm-helpers.js';

describe('OpenLLMetry / Traceloop', () => {
  it('a workflow span: the entity input and output, unwrapped for a person', () => {
    const seen = translate({
      attributes: {
        'traceloop.span.kind': 'workflow',
        'traceloop.workflow.name': 'plan_trip',
        'traceloop.entity.name': 'plan_trip',
        'traceloop.entity.input': '{"args":["A weekend in Stockholm"],"kwargs":{}}',
        'traceloop.entity.output': '"Day 1: Gamla stan."',
      },
    });
    expect(seen.type).toBe('workflow');
    expect(seen.input).toBe('A weekend in Stockholm');
    expect(seen.output).toBe('Day 1: Gamla stan.');
    expect(seen.meta).toMatchObject({ 'traceloop.entity.name': 'plan_trip' });
    expect(seen.meta).not.toHaveProperty('traceloop.entity.input');
  });

  it('keyword arguments alone, several arguments as they are, plain text as it is', () => {
    expect(
      translate({ attributes: { 'traceloop.span.kind': 'task', 'traceloop.entity.input': '{"args":[],"kwargs":{"city":"Oslo"}}' } }).input,
    ).toBe('{"city":"Oslo"}');
    expect(translate({ attributes: { 'traceloop.span.kind': 'task', 'traceloop.entity.input': '{"args":[1,2],"kwargs":{}}' } }).input).toBe(
      '{"args":[1,2],"kwargs":{}}',
    );
    expect(translate({ attributes: { 'traceloop.span.kind': 'tool', 'traceloop.entity.input': 'plain' } })).toMatchObject({
      type: 'tool',
      input: 'plain',
    });
    expect(translate({ attributes: { 'traceloop.span.kind': 'agent', 'traceloop.entity.output': '{"answer":42}' } })).toMatchObject({
      type: 'agent',
      output: '{"answer":42}',
    });
  });

  it('llm.request.type types an LLM call; the current GenAI attributes (0.23+) give its input and output', () => {
    const input = [msg('user', 'Hi')];
    const seen = translate({
      attributes: {
        'llm.request.type': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.input.messages': JSON.stringify(input),
        'gen_ai.output.messages': JSON.stringify([msg('assistant', 'Hello', { finish_reason: 'stop' })]),
        'gen_ai.usage.input_tokens': 8,
        'gen_ai.usage.output_tokens': 2,
        'gen_ai.usage.cache_read_input_tokens': 4,
        'gen_ai.usage.reasoning_tokens': 1,
      },
    });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual(input);
    expect(seen.meta).toMatchObject({
      'gen_ai.usage.input_tokens': 8,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.reasoning.output_tokens': 1,
    });
    expect(translate({ attributes: { 'llm.request.type': 'embedding' } }).type).toBe('embedding');
    expect(translate({ attributes: { 'llm.request.type': 'rerank' } }).type).toBe('reranker');
  });

  it('a workflow that reports usage does not count it again', () => {
    const { meta } = translate({
      attributes: { 'traceloop.span.kind': 'workflow', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 7 },
    });
    expect(keysWith(meta, 'gen_ai.usage.')).toEqual([]);
    expect(meta).toMatchObject({ 'opper.aggregate.gen_ai.usage.input_tokens': 100, 'opper.aggregate.gen_ai.usage.output_tokens': 7 });
  });
});
