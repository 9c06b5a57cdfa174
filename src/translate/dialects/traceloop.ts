/**
 * OpenLLMetry / Traceloop: `traceloop.span.kind` with `traceloop.entity.input`/`output` on the
 * spans of its workflow, task, agent and tool decorators, and `llm.request.type` on LLM calls.
 * (Its LLM calls carry the GenAI conventions: current in 0.23+, indexed `gen_ai.prompt.N.*` before.)
 */
import type { Attributes } from '@opentelemetry/api';
import type { Dialect, DialectContext } from '../dialect.js';
import { asText } from '../values.js';
import { isRecord, parseJson, unquote } from './messages.js';

export const TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
export const LLM_REQUEST_TYPE = 'llm.request.type';
const ENTITY_INPUT = 'traceloop.entity.input';
const ENTITY_OUTPUT = 'traceloop.entity.output';

const KIND_TYPES: ReadonlyMap<string, string> = new Map([
  ['workflow', 'workflow'],
  ['task', 'task'],
  ['agent', 'agent'],
  ['tool', 'tool'],
  ['session', 'session'],
]);

const REQUEST_TYPES: ReadonlyMap<string, string> = new Map([
  ['chat', 'llm'],
  ['completion', 'llm'],
  ['embedding', 'embedding'],
  ['embeddings', 'embedding'],
  ['rerank', 'reranker'],
]);

/** Traceloop kinds whose spans wrap LLM calls (usage on them would be a sum of their children's). */
export function isTraceloopAggregate(attributes: Attributes): boolean {
  const kind = attributes[TRACELOOP_SPAN_KIND];
  return kind === 'workflow' || kind === 'task' || kind === 'agent' || kind === 'session';
}

export const traceloop: Dialect = {
  name: 'traceloop',
  type: ({ attributes }) => {
    const kind = attributes[TRACELOOP_SPAN_KIND];
    if (typeof kind === 'string') {
      const type = KIND_TYPES.get(kind);
      if (type !== undefined) return type;
    }
    const request = attributes[LLM_REQUEST_TYPE];
    return typeof request === 'string' ? REQUEST_TYPES.get(request) : undefined;
  },
  input: (ctx) => entity(ctx, ENTITY_INPUT),
  output: (ctx) => entity(ctx, ENTITY_OUTPUT),
};

/**
 * An entity input/output, unwrapped for a person: the decorators write `{"args": [...], "kwargs": {...}}`;
 * a single argument is shown alone (a string as plain text), keyword arguments alone as their object.
 */
function entity(ctx: DialectContext, key: string): string | undefined {
  const raw = ctx.attributes[key];
  if (raw === undefined) return undefined;
  const text = asText(raw);
  if (text === undefined) return undefined;
  ctx.consumed.add(key);
  const parsed = parseJson(text);
  if (isRecord(parsed) && Object.keys(parsed).every((k) => k === 'args' || k === 'kwargs')) {
    const args = Array.isArray(parsed.args) ? parsed.args : [];
    const kwargs = isRecord(parsed.kwargs) ? parsed.kwargs : {};
    const hasKwargs = Object.keys(kwargs).length > 0;
    if (args.length === 1 && !hasKwargs) return typeof args[0] === 'string' ? asText(args[0]) : (asText(args[0]) ?? text);
    if (args.length === 0 && hasKwargs) return asText(kwargs) ?? text;
    return text;
  }
  return unquote(text);
}
