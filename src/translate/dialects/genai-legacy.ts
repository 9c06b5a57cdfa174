/**
 * The deprecated forms of the OTel GenAI conventions (semconv <= 1.36 and the instrumentations
 * that still write them, e.g. OpenLLMetry before 0.23):
 * - indexed attributes `gen_ai.prompt.N.{role,content,tool_calls.M.*,tool_call_id}` and
 *   `gen_ai.completion.N.{role,content,finish_reason,tool_calls.M.*,function_call.*}`;
 * - whole-text attributes `gen_ai.prompt` / `gen_ai.completion`;
 * - span events `gen_ai.{system,user,assistant,tool}.message` and `gen_ai.choice` (their body's
 *   fields as event attributes, or the whole body as JSON in `gen_ai.event.content`), and the
 *   older `gen_ai.content.prompt` / `gen_ai.content.completion` events.
 * Attributes win over events.
 */
import type { Attributes } from '@opentelemetry/api';
import { consumeEvent, takeText, type Dialect, type DialectContext } from '../dialect.js';
import type { TimedEventLike } from '../types.js';
import { asText } from '../values.js';
import {
  contentParts,
  hasPrefix,
  indexed,
  isRecord,
  maybeParsed,
  message,
  render,
  toolCallPart,
  toolResponsePart,
  type Message,
  type Part,
} from './messages.js';

const PROMPT = 'gen_ai.prompt';
const COMPLETION = 'gen_ai.completion';

/** Event name -> the role of the message it carries. */
const MESSAGE_EVENTS: ReadonlyMap<string, string> = new Map([
  ['gen_ai.system.message', 'system'],
  ['gen_ai.user.message', 'user'],
  ['gen_ai.assistant.message', 'assistant'],
  ['gen_ai.tool.message', 'tool'],
]);
const CHOICE_EVENT = 'gen_ai.choice';
/** Event attributes that carry a message (left out of meta once they became input or output). */
const BODY_KEYS = [
  'content',
  'role',
  'tool_calls',
  'id',
  'tool_call_id',
  'message',
  'index',
  'finish_reason',
  'gen_ai.event.content',
  'body',
  PROMPT,
  COMPLETION,
];

export const genAiLegacy: Dialect = {
  name: 'gen_ai (deprecated)',
  input: (ctx) => indexedMessages(ctx, `${PROMPT}.`, 'user') ?? takeText(ctx, PROMPT) ?? eventMessages(ctx, 'input'),
  output: (ctx) => indexedMessages(ctx, `${COMPLETION}.`, 'assistant') ?? takeText(ctx, COMPLETION) ?? eventMessages(ctx, 'output'),
};

/** Whether indexed keys may be present: a cheap look at index 0 or at the usual companions. */
function mayHaveIndexed(attributes: Attributes, prefix: string): boolean {
  if (attributes[`${prefix}0.role`] !== undefined || attributes[`${prefix}0.content`] !== undefined) return true;
  const hinted =
    attributes['gen_ai.system'] !== undefined ||
    attributes['gen_ai.request.model'] !== undefined ||
    attributes['llm.request.type'] !== undefined;
  return hinted && hasPrefix(attributes, prefix);
}

function indexedMessages(ctx: DialectContext, prefix: string, defaultRole: string): string | undefined {
  if (!mayHaveIndexed(ctx.attributes, prefix)) return undefined;
  const keys: string[] = [];
  const groups = indexed(ctx.attributes, prefix, keys);
  if (groups.length === 0) return undefined;
  const messages = groups.map(({ fields }) => indexedMessage(fields, defaultRole));
  const text = render(messages);
  if (text !== undefined) for (const key of keys) ctx.consumed.add(key);
  return text;
}

function indexedMessage(fields: Map<string, unknown>, defaultRole: string): Message {
  const role = fields.get('role') ?? defaultRole;
  const content = fields.get('content');
  const toolCallId = fields.get('tool_call_id');
  const parts: Part[] = role === 'tool' && toolCallId !== undefined ? [toolResponsePart(toolCallId, content)] : contentParts(content);
  for (const { fields: call } of indexed(fields, 'tool_calls.')) {
    parts.push(toolCallPart(call.get('id'), call.get('name'), call.get('arguments')));
  }
  if (fields.get('function_call.name') !== undefined) {
    parts.push(toolCallPart(undefined, fields.get('function_call.name'), fields.get('function_call.arguments')));
  }
  return message(role, parts, { finish_reason: fields.get('finish_reason') });
}

/** Input from the message events (in order), output from the choice events (by index). */
function eventMessages(ctx: DialectContext, side: 'input' | 'output'): string | undefined {
  const events = ctx.span.events;
  if (!Array.isArray(events) || events.length === 0) return undefined;
  const used: TimedEventLike[] = [];
  const messages: { index: number; message: Message }[] = [];
  let whole: string | undefined;
  for (const event of events) {
    const name = event?.name;
    if (typeof name !== 'string' || !name.startsWith('gen_ai.')) continue;
    const attributes = event.attributes ?? {};
    if (side === 'input') {
      const role = MESSAGE_EVENTS.get(name);
      if (role !== undefined) {
        messages.push({ index: messages.length, message: eventMessage(bodyOf(attributes), role) });
        used.push(event);
      } else if (name === 'gen_ai.content.prompt' && whole === undefined) {
        whole = asText(attributes[PROMPT]);
        if (whole !== undefined) used.push(event);
      }
    } else if (name === CHOICE_EVENT) {
      const body = bodyOf(attributes);
      const choice = maybeParsed(body.message);
      const index = typeof body.index === 'number' ? body.index : messages.length;
      const reply = eventMessage(isRecord(choice) ? choice : { content: choice }, 'assistant');
      if (typeof body.finish_reason === 'string' && body.finish_reason !== '') reply.finish_reason = body.finish_reason;
      messages.push({ index, message: reply });
      used.push(event);
    } else if (name === 'gen_ai.content.completion' && whole === undefined) {
      whole = asText(attributes[COMPLETION]);
      if (whole !== undefined) used.push(event);
    }
  }
  if (messages.length === 0 && whole === undefined) return undefined;
  const text = messages.length > 0 ? render(messages.sort((a, b) => a.index - b.index).map((m) => m.message)) : whole;
  if (text !== undefined) for (const event of used) consumeEvent(ctx, event, BODY_KEYS);
  return text;
}

/** An event's body: packed as JSON in `gen_ai.event.content` (or `body`), else its attributes. */
function bodyOf(attributes: Attributes): Record<string, unknown> {
  const packed = maybeParsed(attributes['gen_ai.event.content'] ?? attributes.body);
  return isRecord(packed) ? packed : attributes;
}

/** A message event's body (`{role?, content, tool_calls?, id?}`) as a GenAI message. */
function eventMessage(body: Record<string, unknown>, role: string): Message {
  const actualRole = typeof body.role === 'string' && body.role !== '' ? body.role : role;
  const parts: Part[] = actualRole === 'tool' ? [toolResponsePart(body.id ?? body.tool_call_id, body.content)] : contentParts(body.content);
  const calls = maybeParsed(body.tool_calls);
  if (Array.isArray(calls)) {
    for (const call of calls) {
      if (!isRecord(call)) continue;
      const fn = isRecord(call.function) ? call.function : call;
      parts.push(toolCallPart(call.id, fn.name, fn.arguments));
    }
  }
  return message(actualRole, parts);
}
