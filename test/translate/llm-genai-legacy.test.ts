// The deprecated OTel GenAI shapes (semantic-conventions <= 1.36: gen-ai-spans.md, gen-ai-events.md)
// as instrumentations still write them (OpenLLMetry < 0.23, @opentelemetry/instrumentation-openai's
// log events copied onto spans), and the current `gen_ai.client.inference.operation.details` event.
import { describe, expect, it } from '@jest/globals';
import type { TimedEventLike } from '../../src/translate/types.js';
import { json, keysWith, msg, translate } from './llm-helpers.js';

const T: [number, number] = [1710928800, 500];
const event = (name: string, attributes: Record<string, unknown>): TimedEventLike => ({
  name,
  time: T,
  attributes: attributes as TimedEventLike['attributes'],
});

describe('deprecated GenAI attributes', () => {
  it('indexed gen_ai.prompt.N.* / gen_ai.completion.N.* (OpenLLMetry 0.22): message lists; deprecated usage names', () => {
    const seen = translate({
      attributes: {
        'gen_ai.system': 'OpenAI',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.prompt.0.role': 'system',
        'gen_ai.prompt.0.content': 'You are terse.',
        'gen_ai.prompt.1.role': 'user',
        'gen_ai.prompt.1.content': 'What is the capital of Sweden?',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'llm.usage.total_tokens': 30,
        'gen_ai.usage.prompt_tokens': 21,
        'gen_ai.usage.completion_tokens': 9,
        'gen_ai.completion.0.finish_reason': 'stop',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'Stockholm.',
      },
    });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual([msg('system', 'You are terse.'), msg('user', 'What is the capital of Sweden?')]);
    expect(json(seen.output)).toEqual([msg('assistant', 'Stockholm.', { finish_reason: 'stop' })]);
    expect(seen.meta).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'OpenAI',
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.usage.prompt_tokens': 21,
    });
    expect(keysWith(seen.meta, 'gen_ai.prompt.')).toEqual([]);
    expect(keysWith(seen.meta, 'gen_ai.completion.')).toEqual([]);
  });

  it('tool calls and tool results in indexed messages; content that is a JSON list of parts', () => {
    const seen = translate({
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': '[{"type":"text","text":"Weather?"}]',
        'gen_ai.prompt.1.role': 'assistant',
        'gen_ai.prompt.1.tool_calls.0.id': 'c1',
        'gen_ai.prompt.1.tool_calls.0.name': 'weather',
        'gen_ai.prompt.1.tool_calls.0.arguments': '{"city":"Oslo"}',
        'gen_ai.prompt.2.role': 'tool',
        'gen_ai.prompt.2.tool_call_id': 'c1',
        'gen_ai.prompt.2.content': 'rain',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': '',
        'gen_ai.completion.0.function_call.name': 'umbrella',
        'gen_ai.completion.0.function_call.arguments': '{}',
      },
    });
    expect(json(seen.input)).toEqual([
      msg('user', 'Weather?'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Oslo' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'rain' }] },
    ]);
    expect(json(seen.output)).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'umbrella', arguments: {} }] }]);
  });

  it('missing indices are skipped; a prompt without role is a user message', () => {
    const seen = translate({
      attributes: {
        'gen_ai.request.model': 'm',
        'gen_ai.prompt.3.content': 'late',
        'gen_ai.prompt.1.role': 'user',
        'gen_ai.prompt.1.content': 'first',
      },
    });
    expect(json(seen.input)).toEqual([msg('user', 'first'), msg('user', 'late')]);
  });

  it('whole-text gen_ai.prompt / gen_ai.completion stay as they are', () => {
    const seen = translate({ attributes: { 'gen_ai.prompt': '[{"role":"user","content":"Hi"}]', 'gen_ai.completion': 'Hello!' } });
    expect(seen.input).toBe('[{"role":"user","content":"Hi"}]');
    expect(seen.output).toBe('Hello!');
    expect(seen.meta).not.toHaveProperty('gen_ai.prompt');
  });
});

describe('deprecated GenAI events', () => {
  it('message events in order as the input, choice events by index as the output; their content leaves otel.events', () => {
    const seen = translate({
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 21 },
      events: [
        event('gen_ai.system.message', { 'gen_ai.system': 'openai', content: 'You are terse.' }),
        event('gen_ai.user.message', { 'gen_ai.system': 'openai', content: 'Weather in Oslo?' }),
        event('gen_ai.assistant.message', {
          'gen_ai.system': 'openai',
          tool_calls: JSON.stringify([{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }]),
        }),
        event('gen_ai.tool.message', { 'gen_ai.system': 'openai', id: 'c1', content: 'rain' }),
        event('gen_ai.choice', { 'gen_ai.system': 'openai', index: 1, finish_reason: 'stop', message: '{"content":"Second."}' }),
        event('gen_ai.choice', {
          'gen_ai.system': 'openai',
          index: 0,
          finish_reason: 'stop',
          message: '{"role":"assistant","content":"Bring an umbrella."}',
        }),
        event('something.else', { keep: 'me' }),
      ],
    });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual([
      msg('system', 'You are terse.'),
      msg('user', 'Weather in Oslo?'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Oslo' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'rain' }] },
    ]);
    expect(json(seen.output)).toEqual([
      msg('assistant', 'Bring an umbrella.', { finish_reason: 'stop' }),
      msg('assistant', 'Second.', { finish_reason: 'stop' }),
    ]);
    const events = seen.meta['otel.events'] as { name: string; attributes?: Record<string, unknown> }[];
    expect(events.map((e) => e.name)).toEqual([
      'gen_ai.system.message',
      'gen_ai.user.message',
      'gen_ai.assistant.message',
      'gen_ai.tool.message',
      'gen_ai.choice',
      'gen_ai.choice',
      'something.else',
    ]);
    expect(events[0]!.attributes).toEqual({ 'gen_ai.system': 'openai' });
    expect(events[6]!.attributes).toEqual({ keep: 'me' });
    expect(JSON.stringify(events)).not.toContain('umbrella');
  });

  it('a body packed as JSON in gen_ai.event.content, and the older gen_ai.content.prompt/completion events', () => {
    const packed = translate({
      events: [
        event('gen_ai.user.message', { 'gen_ai.event.content': '{"role":"user","content":"Hi"}' }),
        event('gen_ai.choice', { 'gen_ai.event.content': '{"index":0,"finish_reason":"stop","message":{"content":"Hello"}}' }),
      ],
    });
    expect(json(packed.input)).toEqual([msg('user', 'Hi')]);
    expect(json(packed.output)).toEqual([msg('assistant', 'Hello', { finish_reason: 'stop' })]);

    const older = translate({
      events: [
        event('gen_ai.content.prompt', { 'gen_ai.prompt': 'Tell a joke' }),
        event('gen_ai.content.completion', { 'gen_ai.completion': 'No.' }),
      ],
    });
    expect(older.input).toBe('Tell a joke');
    expect(older.output).toBe('No.');
  });

  it('attributes win over events', () => {
    const seen = translate({
      attributes: { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'from attributes' },
      events: [event('gen_ai.user.message', { content: 'from events' })],
    });
    expect(json(seen.input)).toEqual([msg('user', 'from attributes')]);
    expect((seen.meta['otel.events'] as { attributes?: unknown }[])[0]!.attributes).toEqual({ content: 'from events' });
  });
});

describe('gen_ai.client.inference.operation.details event', () => {
  it('its input (system instructions first) and output messages; current attributes on the span win', () => {
    const input = [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }];
    const output = [{ role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'stop' }];
    const seen = translate({
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' },
      events: [
        event('gen_ai.client.inference.operation.details', {
          'gen_ai.provider.name': 'openai',
          'gen_ai.system_instructions': '[{"type":"text","content":"Be brief."}]',
          'gen_ai.input.messages': JSON.stringify(input),
        }),
        event('gen_ai.client.inference.operation.details', { 'gen_ai.output.messages': JSON.stringify(output) }),
      ],
    });
    expect(json(seen.input)).toEqual([{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }, ...input]);
    expect(json(seen.output)).toEqual(output);
    const events = seen.meta['otel.events'] as { attributes?: Record<string, unknown> }[];
    expect(events[0]!.attributes).toEqual({ 'gen_ai.provider.name': 'openai' });
    expect(events[1]!.attributes).toBeUndefined();

    const onSpan = translate({
      attributes: { 'gen_ai.input.messages': '[{"role":"user","parts":[]}]' },
      events: [event('gen_ai.client.inference.operation.details', { 'gen_ai.input.messages': '[]' })],
    });
    expect(onSpan.input).toBe('[{"role":"user","parts":[]}]');
  });
});
