// Issue 25: the newest GenAI convention names (semantic-conventions-genai) read alongside the
// older ones, and the newer operations, evaluation results and timings where a reader looks.
import { describe, expect, it } from '@jest/globals';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { translateSpan } from '../../src/translate/index.js';
import type { TimedEventLike } from '../../src/translate/types.js';
import { pngBytes } from '../llm/fixtures/media.mjs';
import { makeSpan, parse } from './helpers.js';
import { keysWith } from './llm-helpers.js';

const seen = (attributes: Attributes, events: TimedEventLike[] = [], kind = SpanKind.CLIENT) => {
  const { create, update } = parse(translateSpan(makeSpan({ attributes, events, kind }), { maxBodyBytes: 512 * 1024 }));
  return { type: create.type, input: create.input as string | undefined, output: update.output as string | undefined, meta: create.meta };
};

const QUESTION = 'What is in this picture?';
const ANSWER = 'A harbour at dusk.';
const PNG = pngBytes(60 * 1024).toString('base64');
const USAGE = { input: 1200, output: 14, cacheRead: 100, cacheWrite: 50, reasoning: 3, audio: 7 };
/** The usage under the newest names, as written and as meta shows it. */
const NEWEST_USAGE = {
  'gen_ai.usage.input_tokens': USAGE.input,
  'gen_ai.usage.output_tokens': USAGE.output,
  'gen_ai.usage.cache_read.input_tokens': USAGE.cacheRead,
  'gen_ai.usage.cache_write.input_tokens': USAGE.cacheWrite,
  'gen_ai.usage.reasoning.output_tokens': USAGE.reasoning,
  'gen_ai.usage.audio.input_tokens': USAGE.audio,
};

const usageOf = (meta: Record<string, unknown>) =>
  Object.fromEntries(
    Object.keys(NEWEST_USAGE)
      .filter((key) => key in meta)
      .map((key) => [key, meta[key]]),
  );

/** Only the newest names: semantic-conventions-genai after v1.41. */
const NEWEST: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.input.messages': JSON.stringify([
    {
      role: 'user',
      parts: [
        { type: 'text', content: QUESTION },
        { type: 'blob', modality: 'image', mime_type: 'image/png', content: PNG },
      ],
    },
  ]),
  'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]),
  ...NEWEST_USAGE,
  'gen_ai.usage.text.input_tokens': USAGE.input - USAGE.audio,
};

/** The same call under older names. */
const OLDER: Readonly<Record<string, Attributes>> = {
  'semconv 1.37-1.41 (cache_creation)': {
    ...Object.fromEntries(Object.entries(NEWEST).filter(([key]) => key !== 'gen_ai.usage.cache_write.input_tokens')),
    'gen_ai.usage.cache_creation.input_tokens': USAGE.cacheWrite,
  },
  'semconv 1.36 and before (indexed prompt, OpenAI parts, flat usage names)': {
    'gen_ai.system': 'openai',
    'llm.request.type': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.prompt.0.role': 'user',
    'gen_ai.prompt.0.content': JSON.stringify([
      { type: 'text', text: QUESTION },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
    ]),
    'gen_ai.completion.0.role': 'assistant',
    'gen_ai.completion.0.content': ANSWER,
    'gen_ai.completion.0.finish_reason': 'stop',
    'gen_ai.usage.prompt_tokens': USAGE.input,
    'gen_ai.usage.completion_tokens': USAGE.output,
    'gen_ai.usage.cache_read_input_tokens': USAGE.cacheRead,
    'gen_ai.usage.cache_creation_input_tokens': USAGE.cacheWrite,
    'gen_ai.usage.reasoning_tokens': USAGE.reasoning,
    'llm.token_count.prompt_details.audio': USAGE.audio,
  },
};

describe('the newest GenAI names read as the older ones', () => {
  const newest = seen(NEWEST);

  it('shows type, input, output and usage of a chat with an image', () => {
    expect(newest.type).toBe('llm');
    expect(JSON.parse(newest.input!)).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: QUESTION },
          { type: 'blob', modality: 'image', mime_type: 'image/png', content: '[image: image/png, 60 KB, base64 omitted]' },
        ],
      },
    ]);
    expect(JSON.parse(newest.output!)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]);
    expect(usageOf(newest.meta)).toEqual(NEWEST_USAGE);
    expect(newest.meta['gen_ai.provider.name']).toBe('openai');
  });

  it.each(Object.keys(OLDER))('the same as %s', (name) => {
    const older = seen(OLDER[name]!);
    expect(older.type).toBe(newest.type);
    expect(JSON.parse(older.input!)).toEqual(JSON.parse(newest.input!));
    expect(JSON.parse(older.output!)).toEqual(JSON.parse(newest.output!));
    expect(usageOf(older.meta)).toEqual(usageOf(newest.meta));
    expect(older.meta['gen_ai.provider.name']).toBe(newest.meta['gen_ai.provider.name']);
  });

  it('counts usage once: an in-process agent keeps every usage key, per modality too, under opper.aggregate.*', () => {
    const agent = seen({ ...NEWEST, 'gen_ai.operation.name': 'invoke_agent' }, [], SpanKind.INTERNAL);
    expect(agent.type).toBe('agent');
    expect(keysWith(agent.meta, 'gen_ai.usage.')).toEqual([]);
    expect(agent.meta['opper.aggregate.gen_ai.usage.cache_write.input_tokens']).toBe(USAGE.cacheWrite);
    expect(agent.meta['opper.aggregate.gen_ai.usage.audio.input_tokens']).toBe(USAGE.audio);
  });

  it('reads OpenInference audio counts per modality, and writes none that is zero', () => {
    const llm = { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 5 };
    const zero = seen({ ...llm, 'llm.token_count.prompt_details.audio': 0, 'llm.token_count.completion_details.audio': 0 }).meta;
    expect(keysWith(zero, 'gen_ai.usage.audio.')).toEqual([]);
    const counted = seen({ ...llm, 'llm.token_count.prompt_details.audio': 2, 'llm.token_count.completion_details.audio': 3 }).meta;
    expect(counted).toMatchObject({ 'gen_ai.usage.audio.input_tokens': 2, 'gen_ai.usage.audio.output_tokens': 3 });
  });
});

describe('newer operations', () => {
  it.each([
    ['plan', 'plan'],
    ['search_memory', 'retrieval'],
    ['create_memory', 'memory'],
    ['update_memory', 'memory'],
    ['upsert_memory', 'memory'],
    ['delete_memory', 'memory'],
    ['create_memory_store', 'memory'],
    ['delete_memory_store', 'memory'],
  ])('%s is typed %s', (operation, type) => {
    expect(seen({ 'gen_ai.operation.name': operation }).type).toBe(type);
  });

  it('retrieval: the query in, the documents out', () => {
    const documents = JSON.stringify([{ id: 'doc_1', score: 0.9 }]);
    const span = seen({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.retrieval.query.text': 'harbours in Sweden',
      'gen_ai.retrieval.documents': documents,
    });
    expect(span).toMatchObject({ type: 'retrieval', input: 'harbours in Sweden', output: documents });
    expect(span.meta).not.toHaveProperty('gen_ai.retrieval.query.text');
  });

  it('memory: a search shows its query and the records found; a write shows the records written', () => {
    const records = JSON.stringify([{ id: 'mem_1', content: 'prefers dark mode' }]);
    expect(
      seen({ 'gen_ai.operation.name': 'search_memory', 'gen_ai.memory.query.text': 'ui preferences', 'gen_ai.memory.records': records }),
    ).toMatchObject({
      input: 'ui preferences',
      output: records,
    });
    expect(
      seen({ 'gen_ai.operation.name': 'create_memory', 'gen_ai.memory.records': records, 'gen_ai.memory.store.id': 'ms_1' }),
    ).toMatchObject({
      type: 'memory',
      input: records,
      meta: expect.objectContaining({ 'gen_ai.memory.store.id': 'ms_1' }),
    });
  });
});

describe('prompt name, evaluations, time to first chunk', () => {
  it('keeps gen_ai.prompt.name in meta, not mistaken for a deprecated prompt', () => {
    const span = seen({ ...NEWEST, 'gen_ai.prompt.name': 'describe-image' });
    expect(span.meta['gen_ai.prompt.name']).toBe('describe-image');
    expect(span.input).toContain('[image: image/png, 60 KB, base64 omitted]');
    expect(seen({ 'gen_ai.system': 'openai', 'gen_ai.prompt.name': 'p' }).input).toBeUndefined();
  });

  it('gathers gen_ai.evaluation.result events in meta gen_ai.evaluations', () => {
    const result = (name: string, value: number, label: string, explanation?: string): TimedEventLike => ({
      name: 'gen_ai.evaluation.result',
      time: [1710928800, 9],
      attributes: {
        'gen_ai.evaluation.name': name,
        'gen_ai.evaluation.score.value': value,
        'gen_ai.evaluation.score.label': label,
        ...(explanation ? { 'gen_ai.evaluation.explanation': explanation } : {}),
      },
    });
    const { meta } = seen(NEWEST, [result('Relevance', 4, 'relevant', 'On topic.'), result('Groundedness', 0.2, 'fail')]);
    expect(meta['gen_ai.evaluations']).toEqual([
      { name: 'Relevance', score_value: 4, score_label: 'relevant', explanation: 'On topic.' },
      { name: 'Groundedness', score_value: 0.2, score_label: 'fail' },
    ]);
  });

  it('reads the AI SDK ms to first chunk as gen_ai.response.time_to_first_chunk in seconds; a GenAI value wins', () => {
    const call = { 'ai.operationId': 'ai.streamText.doStream', 'ai.model.id': 'gpt-4o', 'ai.response.msToFirstChunk': 420 };
    expect(seen(call).meta['gen_ai.response.time_to_first_chunk']).toBe(0.42);
    expect(seen({ ...call, 'gen_ai.response.time_to_first_chunk': 0.5 }).meta['gen_ai.response.time_to_first_chunk']).toBe(0.5);
  });
});
