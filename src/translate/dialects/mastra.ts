/**
 * Mastra (`@mastra/otel-exporter`, instrumentation scope of that name): every span says its Mastra
 * type in `mastra.span.type`. Model calls, tools and agents carry the GenAI keys; what only Mastra
 * writes is the input and output of the other spans, as `mastra.<span type>.input` / `.output`
 * (JSON of Mastra's own shapes), among them the agent run's prompt and answer.
 */
import { takeText, type Dialect, type DialectContext } from '../dialect.js';
import { GEN_AI_SYSTEM_INSTRUCTIONS, joinSystemInstructions } from '../genai.js';
import { asText } from '../values.js';
import { isRecord, MAX_MESSAGES, message, parseJson, render, textPart, toolCallPart, type Message, type Part } from './messages.js';
import { toMessage } from './vercel-ai.js';

export const MASTRA_SPAN_TYPE = 'mastra.span.type';
const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';

/** Mastra span types the GenAI operation name leaves untyped (`model_generation`, `agent_step`, ...). */
const SPAN_TYPES: ReadonlyMap<string, string> = new Map([
  // The model loop of one agent call, and one turn of it: the model call and the tools it asked for.
  ['model_generation', 'chain'],
  ['model_step', 'chain'],
  ['client_tool_call', 'tool'],
]);

/** The GenAI conventions' provider names that have a dot (Mastra writes them as they are). */
const DOTTED_PROVIDERS: ReadonlySet<string> = new Set([
  'aws.bedrock',
  'azure.ai.inference',
  'azure.ai.openai',
  'gcp.gemini',
  'gcp.gen_ai',
  'gcp.vertex_ai',
  'ibm.watsonx.ai',
]);

/** The span's Mastra type, when it is one (lower-case words). */
function spanType(ctx: DialectContext): string | undefined {
  const type = ctx.attributes[MASTRA_SPAN_TYPE];
  return typeof type === 'string' && /^[a-z_]{1,64}$/.test(type) ? type : undefined;
}

/** `mastra.<span type>.input` (or `.output`) when the span has it. */
function ownKey(ctx: DialectContext, field: 'input' | 'output'): string | undefined {
  const type = spanType(ctx);
  const key = type === undefined ? undefined : `mastra.${type}.${field}`;
  return key !== undefined && ctx.attributes[key] !== undefined ? key : undefined;
}

export const mastra: Dialect = {
  name: 'mastra',
  type: (ctx) => {
    const type = spanType(ctx);
    return type === undefined ? undefined : SPAN_TYPES.get(type);
  },
  input: (ctx) => {
    const key = ownKey(ctx, 'input');
    if (key === undefined) return undefined;
    const raw = ctx.attributes[key];
    const messages = messageList(raw);
    const system = ctx.attributes[GEN_AI_SYSTEM_INSTRUCTIONS];
    if (system == null) return messages === undefined ? takeText(ctx, key) : consumed(ctx, key, render(messages));
    // An agent run: its instructions, then what it was asked (a plain prompt as the user's message).
    const list = messages ?? [message('user', [textPart(asText(raw) ?? '')])];
    const joined = joinSystemInstructions(system, render(list));
    if (joined === undefined) return takeText(ctx, key);
    ctx.consumed.add(GEN_AI_SYSTEM_INSTRUCTIONS);
    return consumed(ctx, key, joined);
  },
  output: (ctx) => {
    const key = ownKey(ctx, 'output');
    return key === undefined ? undefined : (consumed(ctx, key, answer(ctx.attributes[key])) ?? takeText(ctx, key));
  },
  meta: (ctx, meta) => {
    // Mastra passes on the AI SDK's provider id (`openai.chat`) unless it knows the name: the
    // provider is the part before the dot, as the Vercel dialect reads it, so one filter finds both.
    const provider = meta[GEN_AI_PROVIDER_NAME];
    if (spanType(ctx) === undefined || typeof provider !== 'string' || DOTTED_PROVIDERS.has(provider)) return;
    const dot = provider.indexOf('.');
    if (dot > 0) meta[GEN_AI_PROVIDER_NAME] = provider.slice(0, dot);
  },
};

/** `rendered`, with the attribute marked consumed; undefined (nothing consumed) without one. */
function consumed(ctx: DialectContext, key: string, rendered: string | undefined): string | undefined {
  if (rendered !== undefined) ctx.consumed.add(key);
  return rendered;
}

/** Mastra's message lists: a list of AI SDK messages, or `{messages: [...]}` (a model generation). */
function messageList(raw: unknown): Message[] | undefined {
  const parsed = parseJson(raw);
  const list = isRecord(parsed) ? parsed.messages : parsed;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_MESSAGES) return undefined;
  return list.every((item) => isRecord(item) && typeof item.role === 'string') ? list.map(toMessage) : undefined;
}

/**
 * Mastra's results (`{text, toolCalls?, files?, object?, ...}`), and the tool-call chunks of a
 * stream (`{toolName, toolCallId, toolInput}`): text alone stays plain text; tool calls become one
 * assistant message holding the text and the calls; a structured object its JSON.
 */
function answer(raw: unknown): string | undefined {
  const result = parseJson(raw);
  if (!isRecord(result)) return undefined;
  if (typeof result.toolName === 'string' && result.toolCallId !== undefined) {
    return render([message('assistant', [toolCallPart(result.toolCallId, result.toolName, result.toolInput)])]);
  }
  const text = typeof result.text === 'string' ? result.text : undefined;
  const calls = Array.isArray(result.toolCalls) ? result.toolCalls.filter(isRecord) : [];
  if (calls.length > 0) {
    const parts: Part[] = text ? [textPart(text)] : [];
    for (const call of calls) parts.push(toolCallPart(call.toolCallId, call.toolName, call.args ?? call.input));
    return render([message('assistant', parts)]);
  }
  if (result.object !== undefined && result.object !== null) return render(result.object);
  return asText(text);
}
