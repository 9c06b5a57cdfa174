// Mastra span shapes, as @mastra/otel-exporter 1.4.0 (@mastra/core 1.71.0, @mastra/observability
// 1.17.9) wrote them in a real run of an Agent with one tool against the OpenAI stub
// (test/compat/mastra/app.mjs): the attributes below are copied from that run.
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from '@jest/globals';
import { STUB_CALL_META, json, msg, translate } from './llm-helpers.js';

const scope = { name: '@mastra/otel-exporter', version: '1.4.0' };
const INSTRUCTIONS = 'You answer questions about the weather.';
const ANSWER = 'The tool said: {"city":"Stockholm","forecast":"sunny, 21 C"}';
const CALL = { toolCallId: 'call_stub_1', toolName: 'weather', args: { city: 'Stockholm' } };
const callPart = { type: 'tool_call', id: 'call_stub_1', name: 'weather', arguments: { city: 'Stockholm' } };

describe('Mastra (@mastra/otel-exporter)', () => {
  it('an agent run: type agent, its instructions and prompt as input, its answer as output', () => {
    const seen = translate({
      name: 'invoke_agent Weather agent',
      instrumentationScope: scope,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'mastra.span.type': 'agent_run',
        'mastra.agent_run.input': 'What is the weather in Stockholm?',
        'mastra.agent_run.output': JSON.stringify({ text: ANSWER, files: [] }),
        'gen_ai.agent.id': 'weather-agent',
        'gen_ai.agent.name': 'Weather agent',
        'gen_ai.tool.definitions': '["weather"]',
        'gen_ai.system_instructions': INSTRUCTIONS,
        'mastra.metadata.runId': 'dfcb2898-a3af-4b3a-b291-0a65be83c713',
      },
    });
    expect(seen.type).toBe('agent');
    expect(json(seen.input)).toEqual([msg('system', INSTRUCTIONS), msg('user', 'What is the weather in Stockholm?')]);
    expect(seen.output).toBe(ANSWER);
    expect(seen.meta).toMatchObject({
      'gen_ai.agent.name': 'Weather agent',
      'mastra.metadata.runId': 'dfcb2898-a3af-4b3a-b291-0a65be83c713',
    });
    for (const key of ['mastra.agent_run.input', 'mastra.agent_run.output', 'gen_ai.system_instructions'])
      expect(seen.meta).not.toHaveProperty(key);
  });

  it('the model loop (model_generation): a chain with the messages in and the answer with its tool calls out', () => {
    const seen = translate({
      name: 'model_generation gpt-4o-mini',
      instrumentationScope: scope,
      attributes: {
        'gen_ai.operation.name': 'model_generation',
        'mastra.span.type': 'model_generation',
        'mastra.model_generation.input': JSON.stringify({
          messages: [
            { role: 'system', content: INSTRUCTIONS },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is the weather in Stockholm?', providerOptions: { mastra: { createdAt: 1796232118854 } } },
              ],
            },
          ],
        }),
        'mastra.model_generation.output': JSON.stringify({
          files: [],
          reasoning: [],
          sources: [],
          text: ANSWER,
          warnings: [],
          toolCalls: [CALL],
        }),
      },
    });
    expect(seen.type).toBe('chain');
    expect(json(seen.input)).toEqual([msg('system', INSTRUCTIONS), msg('user', 'What is the weather in Stockholm?')]);
    expect(json(seen.output)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }, callPart] }]);
    expect(seen.meta).not.toHaveProperty('mastra.model_generation.input');
    expect(seen.meta).not.toHaveProperty('mastra.model_generation.output');
  });

  it('one step of it (model_step, "agent_step"): the step prompt in, a tool call or the text out', () => {
    const attributes = {
      'gen_ai.operation.name': 'agent_step',
      'mastra.span.type': 'model_step',
      'mastra.model_step.step_index': 0,
      'mastra.model_step.is_continued': true,
    };
    const first = translate({
      name: 'agent_step Weather agent',
      instrumentationScope: scope,
      attributes: {
        ...attributes,
        'mastra.model_step.input': JSON.stringify([
          { role: 'system', content: INSTRUCTIONS },
          { role: 'user', content: 'What is the weather in Stockholm?' },
        ]),
        'mastra.model_step.output': JSON.stringify({ text: '', toolCalls: [CALL] }),
      },
    });
    expect(first.type).toBe('chain');
    expect(json(first.input)).toEqual([msg('system', INSTRUCTIONS), msg('user', 'What is the weather in Stockholm?')]);
    expect(json(first.output)).toEqual([{ role: 'assistant', parts: [callPart] }]);
    expect(first.meta).toMatchObject({ 'mastra.model_step.step_index': 0 });
    const last = translate({
      instrumentationScope: scope,
      attributes: { ...attributes, 'mastra.model_step.output': JSON.stringify({ text: ANSWER, toolCalls: [] }) },
    });
    expect(last.output).toBe(ANSWER);
  });

  it('a tool-call chunk of a stream: the call as an assistant message; other chunks as they are', () => {
    const chunk = (output: string) =>
      translate({
        instrumentationScope: scope,
        attributes: { 'gen_ai.operation.name': 'model_chunk', 'mastra.span.type': 'model_chunk', 'mastra.model_chunk.output': output },
      });
    const streamed = chunk('{"toolName":"weather","toolCallId":"call_stub_1","toolInput":"{\\"city\\":\\"Stockholm\\"}"}');
    expect(streamed.type).toBe('internal');
    expect(json(streamed.output)).toEqual([{ role: 'assistant', parts: [callPart] }]);
    expect(json(chunk('{"toolName":"weather","toolCallId":"call_stub_1","toolInput":{"city":"Stockholm"}}').output)).toEqual([
      { role: 'assistant', parts: [callPart] },
    ]);
    expect(chunk(JSON.stringify({ text: ANSWER })).output).toBe(ANSWER);
    expect(chunk('{}').output).toBe('{}');
  });

  it('model calls and tools keep the GenAI mapping: llm with model and usage, tool with arguments and result', () => {
    const chat = translate({
      name: 'chat gpt-4o-mini',
      kind: SpanKind.CLIENT,
      instrumentationScope: scope,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'mastra.span.type': 'model_inference',
        'gen_ai.output.messages': JSON.stringify([msg('assistant', ANSWER)]),
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.provider.name': 'openai.chat',
        'gen_ai.usage.input_tokens': 21,
        'gen_ai.usage.output_tokens': 9,
        'gen_ai.usage.reasoning_tokens': 3,
        'gen_ai.usage.cache_read.input_tokens': 4,
        'gen_ai.response.finish_reasons': '["stop"]',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      },
    });
    expect(chat.type).toBe('llm');
    expect(chat.input).toBeUndefined(); // Mastra 1.71 records no input on its model_inference spans
    expect(json(chat.output)).toEqual([msg('assistant', ANSWER)]);
    expect(chat.meta).toMatchObject(STUB_CALL_META);
    const provider = (name: string) =>
      translate({ attributes: { 'gen_ai.operation.name': 'chat', 'mastra.span.type': 'model_inference', 'gen_ai.provider.name': name } })
        .meta['gen_ai.provider.name'];
    expect([provider('anthropic.messages'), provider('aws.bedrock'), provider('azure.ai.openai'), provider('groq')]).toEqual([
      'anthropic',
      'aws.bedrock',
      'azure.ai.openai',
      'groq',
    ]);
    const tool = translate({
      name: 'execute_tool weather',
      instrumentationScope: scope,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'mastra.span.type': 'tool_call',
        'gen_ai.tool.call.arguments': '{"city":"Stockholm"}',
        'gen_ai.tool.call.result': '{"city":"Stockholm","forecast":"sunny, 21 C"}',
        'gen_ai.tool.name': 'weather',
        'gen_ai.tool.call.id': 'call_stub_1',
      },
    });
    expect(tool).toMatchObject({ type: 'tool', input: '{"city":"Stockholm"}', output: '{"city":"Stockholm","forecast":"sunny, 21 C"}' });
  });

  it('a message list given to the agent, a structured answer, and odd values kept as text', () => {
    const run = (input: string, output: string) =>
      translate({
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'mastra.span.type': 'agent_run',
          'gen_ai.system_instructions': INSTRUCTIONS,
          'mastra.agent_run.input': input,
          'mastra.agent_run.output': output,
        },
      });
    const listed = run(
      JSON.stringify([{ role: 'user', content: 'Hi' }]),
      JSON.stringify({ text: '{"ok":true}', object: { ok: true }, files: [] }),
    );
    expect(json(listed.input)).toEqual([msg('system', INSTRUCTIONS), msg('user', 'Hi')]);
    expect(json(listed.output)).toEqual({ ok: true });
    const odd = translate({
      attributes: { 'mastra.span.type': 'generic', 'mastra.generic.input': '{"a":1}', 'mastra.generic.output': '[1,2' },
    });
    expect(odd).toMatchObject({ type: 'internal', input: '{"a":1}', output: '[1,2' });
    expect(translate({ attributes: { 'mastra.span.type': 'Not A Type!', 'mastra.Not A Type!.input': 'x' } }).input).toBeUndefined();
  });
});
