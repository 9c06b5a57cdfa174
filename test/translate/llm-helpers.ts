import { translateSpan } from '../../src/translate/index.js';
import { makeSpan, parse, type SpanFields } from './helpers.js';

/** What Opper stores of one translated span: the fields the LLM mapping decides. */
export interface Seen {
  readonly type: string | undefined;
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly meta: Record<string, unknown>;
}

export function translate(fields: SpanFields): Seen {
  const { create, update } = parse(translateSpan(makeSpan(fields), { maxBodyBytes: 512 * 1024 }));
  return {
    type: create.type as string | undefined,
    input: create.input as string | undefined,
    output: update.output as string | undefined,
    meta: create.meta,
  };
}

/** The parsed JSON of an input/output that must be JSON. */
export function json(text: string | undefined): unknown {
  expectString(text);
  return JSON.parse(text as string);
}

function expectString(text: string | undefined): void {
  if (typeof text !== 'string') throw new Error(`expected a string, got ${String(text)}`);
}

/** A GenAI text message. */
export const msg = (role: string, content: string, extra: Record<string, unknown> = {}) => ({
  role,
  parts: [{ type: 'text', content }],
  ...extra,
});

/** Meta keys that start with a prefix. */
export const keysWith = (meta: Record<string, unknown>, prefix: string): string[] =>
  Object.keys(meta).filter((key) => key.startsWith(prefix));

/** Model and usage in meta of one model call to the OpenAI stub (gpt-4o-mini, STUB_CHAT_USAGE). */
export const STUB_CALL_META = Object.freeze({
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.provider.name': 'openai',
  'gen_ai.usage.input_tokens': 21,
  'gen_ai.usage.output_tokens': 9,
  'gen_ai.usage.cache_read.input_tokens': 4,
  'gen_ai.usage.reasoning.output_tokens': 3,
});
