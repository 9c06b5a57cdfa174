/**
 * OpenInference (Arize Phoenix): `openinference.span.kind`, `input.value`/`output.value`, the
 * flattened `llm.input_messages.N.message.*` / `llm.output_messages.N.message.*` lists, embeddings
 * and retrieved documents. Message lists win over `input.value`/`output.value`, which for LLM spans
 * are the raw request/response JSON (then left out of meta as duplicates of the input/output).
 */
import type { Attributes } from '@opentelemetry/api';
import type { Dialect, DialectContext } from '../dialect.js';
import { asText } from '../values.js';
import {
  contentParts,
  indexed,
  isRecord,
  mediaPart,
  message,
  parseJson,
  render,
  toolCallPart,
  toolResponsePart,
  type Message,
  type Part,
} from './messages.js';

export const OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
const INPUT_VALUE = 'input.value';
const INPUT_MIME_TYPE = 'input.mime_type';
const OUTPUT_VALUE = 'output.value';
const OUTPUT_MIME_TYPE = 'output.mime_type';

const KIND_TYPES: ReadonlyMap<string, string> = new Map([
  ['LLM', 'llm'],
  ['EMBEDDING', 'embedding'],
  ['TOOL', 'tool'],
  ['AGENT', 'agent'],
  ['CHAIN', 'chain'],
  ['RETRIEVER', 'retrieval'],
  ['RERANKER', 'reranker'],
  ['GUARDRAIL', 'guardrail'],
  ['EVALUATOR', 'evaluator'],
  ['PROMPT', 'prompt'],
]);

/** The span kind in upper case, or undefined when the span is not OpenInference. */
export function openInferenceKind(attributes: Attributes): string | undefined {
  const kind = attributes[OPENINFERENCE_SPAN_KIND];
  return typeof kind === 'string' ? kind.toUpperCase() : undefined;
}

export const openInference: Dialect = {
  name: 'openinference',
  type: ({ attributes }) => {
    const kind = openInferenceKind(attributes);
    return kind === undefined ? undefined : KIND_TYPES.get(kind);
  },
  input: (ctx) => {
    const kind = openInferenceKind(ctx.attributes);
    if (kind !== undefined) {
      const fromList = kind === 'EMBEDDING' ? embeddingTexts(ctx) : messagesOf(ctx, 'llm.input_messages.', requestSystem(ctx));
      if (fromList !== undefined) {
        consume(ctx, INPUT_VALUE, INPUT_MIME_TYPE);
        return fromList;
      }
    }
    return value(ctx, INPUT_VALUE, INPUT_MIME_TYPE);
  },
  output: (ctx) => {
    const kind = openInferenceKind(ctx.attributes);
    if (kind !== undefined) {
      const fromList =
        kind === 'EMBEDDING'
          ? embeddingVectors(ctx)
          : kind === 'RETRIEVER'
            ? documents(ctx, 'retrieval.documents.')
            : messagesOf(ctx, 'llm.output_messages.');
      if (fromList !== undefined) {
        consume(ctx, OUTPUT_VALUE, OUTPUT_MIME_TYPE);
        return fromList;
      }
    }
    return value(ctx, OUTPUT_VALUE, OUTPUT_MIME_TYPE);
  },
};

function consume(ctx: DialectContext, ...keys: string[]): void {
  for (const key of keys) if (ctx.attributes[key] !== undefined) ctx.consumed.add(key);
}

/** `input.value`/`output.value` as text, consuming it and its mime type. */
function value(ctx: DialectContext, key: string, mimeKey: string): string | undefined {
  const text = asText(ctx.attributes[key]);
  if (text !== undefined) consume(ctx, key, mimeKey);
  return text;
}

/**
 * A flattened message list as GenAI messages (JSON text); undefined when there is none. `system`
 * goes first unless the list has a system message of its own.
 */
function messagesOf(ctx: DialectContext, prefix: string, system?: Message): string | undefined {
  const keys: string[] = [];
  const groups = indexed(ctx.attributes, prefix, keys);
  if (groups.length === 0) return undefined;
  const messages: Message[] = groups.map(({ fields }) => toMessage(fields));
  if (system !== undefined && !messages.some((m) => m.role === 'system')) messages.unshift(system);
  const text = render(messages);
  if (text !== undefined) for (const key of keys) ctx.consumed.add(key);
  return text;
}

/**
 * The top-level `system` prompt of the raw request JSON (Anthropic's Messages API), which the
 * Anthropic instrumentation leaves out of `llm.input_messages`; a string or text blocks.
 */
function requestSystem(ctx: DialectContext): Message | undefined {
  const request = parseJson(ctx.attributes[INPUT_VALUE]);
  if (!isRecord(request)) return undefined;
  const parts = contentParts(request.system);
  return parts.length > 0 ? message('system', parts) : undefined;
}

/** One `message.*` group: role, content or contents, tool calls, tool call id. */
function toMessage(fields: Map<string, unknown>): Message {
  const role = fields.get('message.role');
  const parts: Part[] = [];
  const toolCallId = fields.get('message.tool_call_id');
  const content = fields.get('message.content');
  if (role === 'tool' && toolCallId !== undefined) parts.push(toolResponsePart(toolCallId, content));
  else parts.push(...contentParts(content));
  for (const { fields: item } of indexed(fields, 'message.contents.')) {
    const type = item.get('message_content.type');
    const text = item.get('message_content.text');
    if (typeof text === 'string') parts.push({ type: 'text', content: text });
    else if (type === 'image')
      parts.push(mediaPart('image', item.get('message_content.image.media_type'), item.get('message_content.image.image.url')));
  }
  for (const { fields: call } of indexed(fields, 'message.tool_calls.')) {
    parts.push(toolCallPart(call.get('tool_call.id'), call.get('tool_call.function.name'), call.get('tool_call.function.arguments')));
  }
  const functionName = fields.get('message.function_call_name');
  if (functionName !== undefined) parts.push(toolCallPart(undefined, functionName, fields.get('message.function_call_arguments_json')));
  return message(role, parts, { name: fields.get('message.name') });
}

/** The texts that were embedded: one as plain text, several as a JSON list. */
function embeddingTexts(ctx: DialectContext): string | undefined {
  return embeddingField(ctx, 'embedding.text', (texts) => (texts.length === 1 ? asText(texts[0]) : render(texts)));
}

/** The embedding vectors as a JSON list of lists. */
function embeddingVectors(ctx: DialectContext): string | undefined {
  return embeddingField(ctx, 'embedding.vector', asText);
}

/** One field of every `embedding.embeddings.N.*`, rendered; its keys are consumed when it renders. */
function embeddingField(ctx: DialectContext, field: string, renderAll: (values: unknown[]) => string | undefined): string | undefined {
  const keys: string[] = [];
  const values = indexed(ctx.attributes, 'embedding.embeddings.')
    .map(({ index, fields }) => {
      const value = fields.get(field);
      if (value !== undefined) keys.push(`embedding.embeddings.${index}.${field}`);
      return value;
    })
    .filter((value) => value !== undefined);
  if (values.length === 0) return undefined;
  const out = renderAll(values);
  if (out !== undefined) for (const key of keys) ctx.consumed.add(key);
  return out;
}

/** Retrieved documents as a JSON list of `{id, content, score, metadata}`. */
function documents(ctx: DialectContext, prefix: string): string | undefined {
  const keys: string[] = [];
  const groups = indexed(ctx.attributes, prefix, keys);
  if (groups.length === 0) return undefined;
  const docs = groups.map(({ fields }) => {
    const doc: Record<string, unknown> = {};
    for (const [field, value] of fields) {
      const name = field.startsWith('document.') ? field.slice('document.'.length) : field;
      doc[name] = name === 'metadata' && typeof value === 'string' ? maybeRecord(value) : value;
    }
    return doc;
  });
  const out = asText(docs);
  if (out !== undefined) for (const key of keys) ctx.consumed.add(key);
  return out;
}

function maybeRecord(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : text;
  } catch {
    return text;
  }
}
