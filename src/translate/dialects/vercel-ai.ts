/**
 * Vercel AI SDK telemetry (`experimental_telemetry`, instrumentation scope `ai`), versions 3 to 6,
 * and AI SDK 7's `LegacyOpenTelemetry`: the span is told by `ai.operationId`. Outer spans
 * (`ai.generateText`, `ai.streamText`, ...) are what the app called and sum the usage of their
 * steps; inner spans (`...doGenerate`, `...doStream`, `...doEmbed`) are the provider calls;
 * `ai.toolCall` runs a tool.
 *
 * AI SDK 7's `OpenTelemetry` (`@ai-sdk/otel`, scope `gen_ai`) writes the GenAI conventions, read by
 * genai.ts, except for embeddings: with its `embedding: true` option, the `embeddings` spans carry
 * the values and vectors only in this dialect's `ai.value(s)` / `ai.embedding(s)`, read here too.
 */
import type { Attributes } from '@opentelemetry/api';
import { takeText, type Dialect, type DialectContext } from '../dialect.js';
import { asText } from '../values.js';
import { kindOf } from '../media.js';
import {
  contentParts,
  isRecord,
  MAX_MESSAGES,
  mediaPart,
  message,
  parseJson,
  render,
  textPart,
  toolCallPart,
  toolResponsePart,
  unquote,
  type Message,
  type Part,
} from './messages.js';

export const AI_OPERATION_ID = 'ai.operationId';

/** Operation id -> Opper type. Outer text/object calls may loop over tools: agents. */
const OPERATION_TYPES: ReadonlyMap<string, string> = new Map([
  ['ai.generateText', 'agent'],
  ['ai.streamText', 'agent'],
  ['ai.generateObject', 'agent'],
  ['ai.streamObject', 'agent'],
  ['ai.generateText.doGenerate', 'llm'],
  ['ai.streamText.doStream', 'llm'],
  ['ai.generateObject.doGenerate', 'llm'],
  ['ai.streamObject.doStream', 'llm'],
  ['ai.embed', 'embedding'],
  ['ai.embedMany', 'embedding'],
  ['ai.embed.doEmbed', 'embedding'],
  ['ai.embedMany.doEmbed', 'embedding'],
  ['ai.toolCall', 'tool'],
]);

/** Outer operations: their `ai.usage.*` is the sum of their inner calls' usage. */
const AGGREGATES: ReadonlySet<string> = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.embed',
  'ai.embedMany',
]);

export function vercelOperation(attributes: Attributes): string | undefined {
  const id = attributes[AI_OPERATION_ID];
  return typeof id === 'string' && id.startsWith('ai.') ? id : undefined;
}

/** Whether the span is an outer AI SDK call whose usage aggregates its children's. */
export function isVercelAggregate(attributes: Attributes): boolean {
  const operation = vercelOperation(attributes);
  return operation !== undefined && AGGREGATES.has(operation);
}

export const vercelAi: Dialect = {
  name: 'vercel-ai',
  type: ({ attributes }) => {
    const operation = vercelOperation(attributes);
    return operation === undefined ? undefined : OPERATION_TYPES.get(operation);
  },
  input: (ctx) => {
    const operation = vercelOperation(ctx.attributes);
    if (operation === undefined) return isGenAiEmbedding(ctx.attributes) ? embedValues(ctx) : undefined;
    if (operation === 'ai.toolCall') return first(ctx, 'ai.toolCall.args', 'ai.toolCall.input');
    if (operation.startsWith('ai.embed')) return embedValues(ctx);
    const messages = ctx.attributes['ai.prompt.messages'];
    if (messages !== undefined) return take(ctx, 'ai.prompt.messages', convertMessageList(messages));
    const prompt = ctx.attributes['ai.prompt'];
    if (prompt !== undefined) return take(ctx, 'ai.prompt', convertPrompt(prompt));
    return undefined;
  },
  output: (ctx) => {
    const operation = vercelOperation(ctx.attributes);
    if (operation === undefined) return isGenAiEmbedding(ctx.attributes) ? embeddings(ctx) : undefined;
    if (operation === 'ai.toolCall') return first(ctx, 'ai.toolCall.result', 'ai.toolCall.output');
    if (operation.startsWith('ai.embed')) return embeddings(ctx);
    return response(ctx);
  },
};

/** A GenAI `embeddings` span (AI SDK 7's `@ai-sdk/otel` writes no ai.operationId). */
const isGenAiEmbedding = (attributes: Attributes): boolean => attributes['gen_ai.operation.name'] === 'embeddings';

/** The first present attribute as text, consumed. */
function first(ctx: DialectContext, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const text = asText(ctx.attributes[key]);
    if (text !== undefined) {
      ctx.consumed.add(key);
      return text;
    }
  }
  return undefined;
}

/** `rendered` when there is one (the key consumed), else the attribute's own text (consumed too). */
function take(ctx: DialectContext, key: string, rendered: string | undefined): string | undefined {
  if (rendered === undefined) return takeText(ctx, key);
  ctx.consumed.add(key);
  return rendered;
}

/** `ai.value` (one JSON-encoded value) or `ai.values` (a list of them): plain text when one string. */
function embedValues(ctx: DialectContext): string | undefined {
  const one = ctx.attributes['ai.value'];
  if (typeof one === 'string') return take(ctx, 'ai.value', unquote(one));
  const many = ctx.attributes['ai.values'];
  if (!Array.isArray(many)) return first(ctx, 'ai.value', 'ai.values');
  const values = many.map((item) => (typeof item === 'string' ? unquote(item) : item));
  return take(ctx, 'ai.values', values.length === 1 && typeof values[0] === 'string' ? asText(values[0]) : asText(values));
}

/** `ai.embedding` (one JSON vector) as it is, or `ai.embeddings` (a list of them) as one JSON list. */
function embeddings(ctx: DialectContext): string | undefined {
  const many = ctx.attributes['ai.embeddings'];
  if (ctx.attributes['ai.embedding'] !== undefined || !Array.isArray(many)) return first(ctx, 'ai.embedding', 'ai.embeddings');
  return take(ctx, 'ai.embeddings', asText(many.map((item) => parseJson(item) ?? item)));
}

/**
 * `ai.prompt` of an outer call, JSON `{system?, prompt?, messages?}`: a lone string prompt stays plain
 * text; otherwise a message list with the system instructions first.
 */
function convertPrompt(value: unknown): string | undefined {
  const prompt = parseJson(value);
  if (!isRecord(prompt)) return undefined;
  const system = prompt.system;
  const list = Array.isArray(prompt.messages) ? prompt.messages : Array.isArray(prompt.prompt) ? prompt.prompt : undefined;
  if (list === undefined && typeof prompt.prompt === 'string' && system == null) return asText(prompt.prompt);
  if (list !== undefined && list.length > MAX_MESSAGES) return undefined;
  const messages: Message[] = [];
  if (system != null) messages.push(...systemMessages(system));
  if (list !== undefined) messages.push(...list.map(toMessage));
  else if (prompt.prompt != null) messages.push(message('user', contentParts(prompt.prompt)));
  return messages.length > 0 ? render(messages) : undefined;
}

/** The system instructions as leading system messages (a string, a message or a list of them). */
function systemMessages(system: unknown): Message[] {
  if (typeof system === 'string') return [message('system', [textPart(system)])];
  if (Array.isArray(system))
    return system.map((item) => (isRecord(item) && 'role' in item ? toMessage(item) : message('system', contentParts(item))));
  return isRecord(system) && 'role' in system ? [toMessage(system)] : [message('system', contentParts(system))];
}

/** `ai.prompt.messages` of a provider call (the provider-level prompt) as GenAI messages. */
function convertMessageList(value: unknown): string | undefined {
  const list = parseJson(value);
  if (!Array.isArray(list) || list.length > MAX_MESSAGES) return undefined;
  return render(list.map(toMessage));
}

/** One AI SDK message (`{role, content: string | parts}`) as a GenAI message. */
export function toMessage(item: unknown): Message {
  if (!isRecord(item)) return message('user', contentParts(item));
  const content = item.content;
  const parts = Array.isArray(content) ? content.flatMap(toPart) : contentParts(content);
  return message(item.role, parts);
}

/** One AI SDK content part: text, reasoning, tool-call, tool-result, file/image. */
function toPart(part: unknown): Part[] {
  if (!isRecord(part)) return contentParts(part);
  switch (part.type) {
    case 'text':
      return [textPart(typeof part.text === 'string' ? part.text : (asText(part.text) ?? ''))];
    case 'reasoning':
      return [{ type: 'reasoning', content: part.text }];
    case 'tool-call':
      return [toolCallPart(part.toolCallId, part.toolName, part.input ?? part.args)];
    case 'tool-result':
      return [toolResponsePart(part.toolCallId, toolOutput(part))];
    case 'image':
    case 'file': {
      // The bytes are in `image` / `data`: a URL, base64 text, or (in `ai.prompt`) a JSON-written Uint8Array.
      const media = part.mediaType ?? part.mimeType;
      const modality = part.type === 'image' ? 'image' : typeof media === 'string' ? kindOf(media).replace('binary', 'file') : 'file';
      const data = part.type === 'image' ? part.image : part.data;
      const uri = typeof data === 'string' && /^[a-z][\w+.-]*:\/\//i.test(data) ? data : undefined;
      return [mediaPart(modality, media, uri, uri === undefined ? data : undefined, part.filename)];
    }
    default:
      return contentParts([part]);
  }
}

/** A tool result's value: v5+ `output: {type, value}`, v4 `result`. */
function toolOutput(part: Record<string, unknown>): unknown {
  const output = part.output;
  if (isRecord(output) && 'value' in output) return output.value;
  return output ?? part.result;
}

/**
 * What the model answered: text alone stays plain text; with tool calls, one assistant message
 * holding the text and the calls; a structured object as its JSON text.
 */
function response(ctx: DialectContext): string | undefined {
  const { attributes } = ctx;
  const textKey = attributes['ai.response.text'] !== undefined ? 'ai.response.text' : 'ai.result.text';
  const callsKey = attributes['ai.response.toolCalls'] !== undefined ? 'ai.response.toolCalls' : 'ai.result.toolCalls';
  const calls = parseJson(attributes[callsKey]);
  if (Array.isArray(calls) && calls.length > 0) {
    const parts: Part[] = [];
    const text = attributes[textKey];
    if (typeof text === 'string' && text !== '') parts.push(textPart(text));
    for (const call of calls) {
      parts.push(isRecord(call) ? toolCallPart(call.toolCallId, call.toolName, call.input ?? call.args) : textPart(asText(call) ?? ''));
    }
    const rendered = render([message('assistant', parts, { finish_reason: attributes['ai.response.finishReason'] })]);
    if (rendered !== undefined) {
      ctx.consumed.add(callsKey);
      if (typeof text === 'string' && text !== '') ctx.consumed.add(textKey);
      return rendered;
    }
  }
  return first(ctx, textKey, 'ai.response.object', 'ai.result.object', callsKey);
}
