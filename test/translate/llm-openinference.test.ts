// OpenInference span shapes, from its specification (spec/semantic_conventions.md, llm_spans.md,
// embedding_spans.md in Arize-ai/openinference) and from @arizeai/openinference-instrumentation-openai 4.2.7.
import { describe, expect, it } from '@jest/globals';
import { json, keysWith, msg, translate } from './llm-helpers.js';

const SYSTEM = 'You are a Shakespearean writing assistant.';

/** The spec's "tool call with OpenAI" LLM span, flattened as OTel attributes. */
const TOOL_CALL_SPAN = {
  'openinference.span.kind': 'LLM',
  'llm.input_messages.0.message.role': 'system',
  'llm.input_messages.0.message.content': SYSTEM,
  'llm.input_messages.1.message.role': 'user',
  'llm.input_messages.1.message.content': 'what is 23 times 87',
  'llm.model_name': 'gpt-3.5-turbo-0613',
  'llm.invocation_parameters': '{"model": "gpt-3.5-turbo-0613", "temperature": 0.1, "max_tokens": null}',
  'input.value': '{"messages":[{"role":"system","content":"..."},{"role":"user","content":"what is 23 times 87"}]}',
  'input.mime_type': 'application/json',
  'output.value':
    '{"tool_calls": [{"id": "call_Re47", "function": {"arguments": "{\\"a\\": 23, \\"b\\": 87}", "name": "multiply"}, "type": "function"}]}',
  'output.mime_type': 'application/json',
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'multiply',
  'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{\n  "a": 23,\n  "b": 87\n}',
  'llm.token_count.prompt': 229,
  'llm.token_count.completion': 21,
  'llm.token_count.total': 250,
};

describe('OpenInference', () => {
  it('LLM span: the input and output message lists, roles kept, system first; model and usage normalised', () => {
    const seen = translate({ attributes: TOOL_CALL_SPAN });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual([msg('system', SYSTEM), msg('user', 'what is 23 times 87')]);
    expect(json(seen.output)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'multiply', arguments: { a: 23, b: 87 } }] },
    ]);
    expect(seen.meta).toMatchObject({
      'gen_ai.request.model': 'gpt-3.5-turbo-0613',
      'llm.model_name': 'gpt-3.5-turbo-0613',
      'gen_ai.usage.input_tokens': 229,
      'gen_ai.usage.output_tokens': 21,
      'llm.token_count.total': 250,
      'llm.invocation_parameters': TOOL_CALL_SPAN['llm.invocation_parameters'],
    });
    // What became input/output is not repeated: the message attributes and the raw request/response JSON.
    expect(keysWith(seen.meta, 'llm.input_messages.')).toEqual([]);
    expect(keysWith(seen.meta, 'llm.output_messages.')).toEqual([]);
    for (const key of ['input.value', 'input.mime_type', 'output.value', 'output.mime_type']) expect(seen.meta).not.toHaveProperty(key);
  });

  it('a conversation with a tool call and its result in the history', () => {
    const seen = translate({
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.content': 'what is 23 times 87',
        'llm.input_messages.1.message.role': 'assistant',
        'llm.input_messages.1.message.tool_calls.0.tool_call.id': 'call_1',
        'llm.input_messages.1.message.tool_calls.0.tool_call.function.name': 'multiply',
        'llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments': '{"a": 23, "b": 87}',
        'llm.input_messages.2.message.role': 'tool',
        'llm.input_messages.2.message.content': '2001',
        'llm.input_messages.2.message.tool_call_id': 'call_1',
        'llm.input_messages.3.message.role': 'tool',
        'llm.input_messages.3.message.content': 'no id here',
        'llm.input_messages.3.message.name': 'multiply',
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.content': 'The product of 23 times 87 is 2001.',
      },
    });
    expect(json(seen.input)).toEqual([
      msg('user', 'what is 23 times 87'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'multiply', arguments: { a: 23, b: 87 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: '2001' }] },
      msg('tool', 'no id here', { name: 'multiply' }),
    ]);
    expect(json(seen.output)).toEqual([msg('assistant', 'The product of 23 times 87 is 2001.')]);
  });

  it('multimodal contents become parts', () => {
    const seen = translate({
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.contents.0.message_content.type': 'text',
        'llm.input_messages.0.message.contents.0.message_content.text': 'What is in this image?',
        'llm.input_messages.0.message.contents.1.message_content.type': 'image',
        'llm.input_messages.0.message.contents.1.message_content.image.image.url': 'https://example.com/cat.png',
      },
    });
    expect(json(seen.input)).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'What is in this image?' },
          { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' },
        ],
      },
    ]);
  });

  it('the requested model from llm.invocation_parameters, the answering one from llm.model_name', () => {
    const { meta } = translate({
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-2024-08-06',
        'llm.invocation_parameters': '{"model":"gpt-4o","temperature":0}',
      },
    });
    expect(meta).toMatchObject({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06' });
    const broken = translate({
      attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'm', 'llm.invocation_parameters': '{"model":' },
    });
    expect(broken.meta['gen_ai.request.model']).toBe('m');
  });

  it('cache and reasoning token details', () => {
    const { meta } = translate({
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'o3-mini',
        'llm.token_count.prompt': 100,
        'llm.token_count.completion': 50,
        'llm.token_count.prompt_details.cache_read': 40,
        'llm.token_count.prompt_details.cache_write': 10,
        'llm.token_count.completion_details.reasoning': 30,
      },
    });
    expect(meta).toMatchObject({
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 50,
      'gen_ai.usage.cache_read.input_tokens': 40,
      'gen_ai.usage.cache_write.input_tokens': 10,
      'gen_ai.usage.reasoning.output_tokens': 30,
    });
  });

  it('without message attributes, input.value and output.value are the input and output as they are', () => {
    const seen = translate({
      attributes: {
        'openinference.span.kind': 'CHAIN',
        'input.value': 'What is Opper?',
        'input.mime_type': 'text/plain',
        'output.value': '{"answer":"An LLM platform"}',
      },
    });
    expect(seen.type).toBe('chain');
    expect(seen.input).toBe('What is Opper?');
    expect(seen.output).toBe('{"answer":"An LLM platform"}');
    expect(seen.meta).not.toHaveProperty('input.mime_type');
  });

  it('EMBEDDING span: the text in input, the vectors in output, the model normalised', () => {
    const one = translate({
      attributes: {
        'openinference.span.kind': 'EMBEDDING',
        'embedding.model_name': 'text-embedding-3-small',
        'input.value': 'Stockholm archipelago',
        'input.mime_type': 'text/plain',
        'embedding.embeddings.0.embedding.text': 'Stockholm archipelago',
        'embedding.embeddings.0.embedding.vector': [0.25, 0.5],
      },
    });
    expect(one.type).toBe('embedding');
    expect(one.input).toBe('Stockholm archipelago');
    expect(json(one.output)).toEqual([[0.25, 0.5]]);
    expect(one.meta['gen_ai.request.model']).toBe('text-embedding-3-small');
    expect(keysWith(one.meta, 'embedding.embeddings.')).toEqual([]);

    const many = translate({
      attributes: {
        'openinference.span.kind': 'EMBEDDING',
        'embedding.embeddings.0.embedding.text': 'a',
        'embedding.embeddings.1.embedding.text': 'b',
      },
    });
    expect(json(many.input)).toEqual(['a', 'b']);
  });

  it('RETRIEVER span: the query in input, the documents in output', () => {
    const seen = translate({
      attributes: {
        'openinference.span.kind': 'RETRIEVER',
        'input.value': 'capital of Sweden',
        'retrieval.documents.0.document.id': 'doc-1',
        'retrieval.documents.0.document.content': 'Stockholm is the capital of Sweden.',
        'retrieval.documents.0.document.score': 0.92,
        'retrieval.documents.0.document.metadata': '{"source":"wiki"}',
        'retrieval.documents.1.document.content': 'Gothenburg is on the west coast.',
      },
    });
    expect(seen.type).toBe('retrieval');
    expect(seen.input).toBe('capital of Sweden');
    expect(json(seen.output)).toEqual([
      { id: 'doc-1', content: 'Stockholm is the capital of Sweden.', score: 0.92, metadata: { source: 'wiki' } },
      { content: 'Gothenburg is on the west coast.' },
    ]);
  });

  it('TOOL, AGENT and other kinds', () => {
    expect(
      translate({
        attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'multiply', 'input.value': '{"a":1}', 'output.value': '2' },
      }),
    ).toMatchObject({
      type: 'tool',
      input: '{"a":1}',
      output: '2',
    });
    expect(translate({ attributes: { 'openinference.span.kind': 'AGENT' } }).type).toBe('agent');
    expect(translate({ attributes: { 'openinference.span.kind': 'reranker' } }).type).toBe('reranker');
    expect(translate({ attributes: { 'openinference.span.kind': 'SOMETHING_NEW' } }).type).toBe('internal');
  });

  it('an AGENT or CHAIN span aggregates its children: its token counts are not counted again', () => {
    const { meta } = translate({
      attributes: { 'openinference.span.kind': 'AGENT', 'llm.token_count.prompt': 500, 'llm.token_count.completion': 80 },
    });
    expect(keysWith(meta, 'gen_ai.usage.')).toEqual([]);
    expect(meta).toMatchObject({
      'llm.token_count.prompt': 500,
      'opper.aggregate.gen_ai.usage.input_tokens': 500,
      'opper.aggregate.gen_ai.usage.output_tokens': 80,
    });
  });

  it('missing indices and odd values never throw and lose nothing', () => {
    const seen = translate({
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.input_messages.2.message.role': 'user',
        'llm.input_messages.2.message.content': 'third',
        'llm.input_messages.7.message.content': 'no role',
        'llm.input_messages.x.message.role': 'not an index',
        'llm.input_messages.0.message.tool_calls.0.tool_call.function.arguments': '{broken',
      },
    });
    expect(json(seen.input)).toEqual([
      { role: 'user', parts: [{ type: 'tool_call', name: '', arguments: '{broken' }] },
      msg('user', 'third'),
      msg('user', 'no role'),
    ]);
    expect(seen.meta['llm.input_messages.x.message.role']).toBe('not an index');
  });

  // @arizeai/openinference-instrumentation-anthropic 0.2.8 lists only `messages`; Anthropic's
  // top-level `system` prompt is in the raw request JSON (input.value) alone.
  it("Anthropic: the request's top-level system prompt comes first in the input", () => {
    const request = { model: 'claude-sonnet-4-5', max_tokens: 256, system: SYSTEM, messages: [{ role: 'user', content: 'Hi' }] };
    const attributes = {
      'openinference.span.kind': 'LLM',
      'llm.provider': 'anthropic',
      'input.value': JSON.stringify(request),
      'input.mime_type': 'application/json',
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'Hi',
    };
    expect(json(translate({ attributes }).input)).toEqual([msg('system', SYSTEM), msg('user', 'Hi')]);
    // As text blocks, and never twice when the list already has a system message.
    const blocks = { ...request, system: [{ type: 'text', text: SYSTEM }] };
    expect(json(translate({ attributes: { ...attributes, 'input.value': JSON.stringify(blocks) } }).input)).toEqual([
      msg('system', SYSTEM),
      msg('user', 'Hi'),
    ]);
    const listed = { ...attributes, 'llm.input_messages.1.message.role': 'system', 'llm.input_messages.1.message.content': SYSTEM };
    expect(json(translate({ attributes: listed }).input)).toEqual([msg('user', 'Hi'), msg('system', SYSTEM)]);
  });

  // @arizeai/openinference-instrumentation-openai-agents 0.2.15 with @openai/agents 0.20.0 (as
  // recorded from test/llm/fixtures/openai-agents-app.mjs): a Responses API call, its system
  // prompt set after the other messages (index 0 last), the response JSON as output.value.
  it('OpenAI Agents JS: a model call after a tool call, in the order of the indices', () => {
    const attributes = {
      'openinference.span.kind': 'LLM',
      'llm.system': 'openai',
      'llm.provider': 'openai',
      'input.value':
        '[{"type":"message","role":"user","content":"What is the weather in Stockholm?"},{"type":"function_call","callId":"call_stub_1"}]',
      'input.mime_type': 'application/json',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'What is the weather in Stockholm?',
      'llm.input_messages.2.message.role': 'assistant',
      'llm.input_messages.2.message.tool_calls.0.tool_call.id': 'call_stub_1',
      'llm.input_messages.2.message.tool_calls.0.tool_call.function.name': 'get_weather',
      'llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments': '{"city":"Stockholm"}',
      'llm.input_messages.3.message.role': 'tool',
      'llm.input_messages.3.message.tool_call_id': 'call_stub_1',
      'llm.input_messages.3.message.content': 'sunny, 21 C in Stockholm',
      'output.value': '{"id":"resp_stub_2","object":"response","status":"completed","output":[]}',
      'output.mime_type': 'application/json',
      'llm.model_name': 'gpt-4o-mini-2024-07-18',
      'llm.finish_reason': 'stop',
      'llm.invocation_parameters': '{"id":"resp_stub_2","model":"gpt-4o-mini-2024-07-18","temperature":1}',
      'llm.token_count.prompt': 21,
      'llm.token_count.completion': 9,
      'llm.token_count.total': 30,
      'llm.token_count.prompt_details.cache_read': 4,
      'llm.token_count.completion_details.reasoning': 3,
      'llm.tools.0.tool.json_schema': '{"type":"function","function":{"name":"get_weather"}}',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.contents.0.message_content.type': 'text',
      'llm.output_messages.0.message.contents.0.message_content.text': 'The tool said: sunny, 21 C in Stockholm',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'You answer questions about the weather.',
    };
    const seen = translate({ attributes });
    expect(seen.type).toBe('llm');
    expect(json(seen.input)).toEqual([
      msg('system', 'You answer questions about the weather.'),
      msg('user', 'What is the weather in Stockholm?'),
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_stub_1', name: 'get_weather', arguments: { city: 'Stockholm' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_stub_1', response: 'sunny, 21 C in Stockholm' }] },
    ]);
    expect(json(seen.output)).toEqual([msg('assistant', 'The tool said: sunny, 21 C in Stockholm')]);
    expect(seen.meta).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.reasoning.output_tokens': 3,
    });
    for (const key of ['input.value', 'output.value']) expect(seen.meta).not.toHaveProperty(key);
  });
});
