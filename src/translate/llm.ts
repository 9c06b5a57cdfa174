/**
 * LLM dialects: the ways instrumentation writes LLM calls, each giving a span's type, input and
 * output (mapping.md type rules 2-3, input/output rules 2-3). The first dialect with an answer wins,
 * field by field, so the order of DIALECTS is the precedence order.
 */
import type { Attributes } from '@opentelemetry/api';
import { genAiDetailsEvent } from './dialects/genai-events.js';
import { genAiLegacy } from './dialects/genai-legacy.js';
import { openInference } from './dialects/openinference.js';
import { traceloop } from './dialects/traceloop.js';
import { usage } from './dialects/usage.js';
import { vercelAi } from './dialects/vercel-ai.js';
import { genAi } from './genai.js';
import type { ReadableSpanLike, TimedEventLike } from './types.js';
import { asText } from './values.js';

/** What a dialect sees of one span. */
export interface DialectContext {
  readonly span: ReadableSpanLike;
  readonly attributes: Attributes;
  /** Attributes that became type, input, output or score; meta leaves them out. A rule adds the keys it used. */
  readonly consumed: Set<string>;
  /** Span events whose attributes (these keys) became input or output; `otel.events` leaves those attributes out. */
  readonly consumedEvents: Map<TimedEventLike, Set<string>>;
}

/** The attribute as text, marked consumed (left out of meta) when present. */
export function takeText(ctx: DialectContext, key: string): string | undefined {
  const text = asText(ctx.attributes[key]);
  if (text !== undefined) ctx.consumed.add(key);
  return text;
}

/** Marks the given attributes of a span event as having become input or output. */
export function consumeEvent(ctx: DialectContext, event: TimedEventLike, keys: Iterable<string>): void {
  let set = ctx.consumedEvents.get(event);
  if (set === undefined) ctx.consumedEvents.set(event, (set = new Set()));
  for (const key of keys) set.add(key);
}

/** One dialect. Every rule is optional and returns undefined when the span is not in this dialect. */
export interface Dialect {
  readonly name: string;
  /** The Opper type (`llm`, `tool`, ...). */
  type?(ctx: DialectContext): string | undefined;
  /** The input as text (already cleaned: see values.ts `asText`). */
  input?(ctx: DialectContext): string | undefined;
  /** The output as text (already cleaned). */
  output?(ctx: DialectContext): string | undefined;
  /** Adds JSON-safe entries to meta (e.g. model and usage under stable keys), after the attributes are copied. */
  meta?(ctx: DialectContext, meta: Record<string, unknown>): void;
}

/**
 * In precedence order (docs/llm-mapping.md): the current OTel GenAI conventions first (rule 2), on
 * the span, then in a `gen_ai.client.inference.operation.details` event; then the dialects of rule 3
 * that say explicitly what the span is: OpenInference, the Vercel AI SDK, OpenLLMetry/Traceloop;
 * then the deprecated GenAI forms (indexed `gen_ai.prompt.N.*`, `gen_ai.prompt`, message events);
 * last, model and usage (a model attribute means `llm`), whose `meta` normalises every dialect's.
 */
export const DIALECTS: readonly Dialect[] = [genAi, genAiDetailsEvent, openInference, vercelAi, traceloop, genAiLegacy, usage];

export function dialectType(ctx: DialectContext): string | undefined {
  for (const dialect of DIALECTS) {
    const type = ask(dialect.type, ctx);
    if (type !== undefined) return type;
  }
  return undefined;
}

export function dialectInput(ctx: DialectContext): string | undefined {
  for (const dialect of DIALECTS) {
    const input = ask(dialect.input, ctx);
    if (input !== undefined) return input;
  }
  return undefined;
}

export function dialectOutput(ctx: DialectContext): string | undefined {
  for (const dialect of DIALECTS) {
    const output = ask(dialect.output, ctx);
    if (output !== undefined) return output;
  }
  return undefined;
}

export function dialectMeta(ctx: DialectContext, meta: Record<string, unknown>): void {
  for (const dialect of DIALECTS) {
    if (dialect.meta === undefined) continue;
    try {
      dialect.meta(ctx, meta);
    } catch {
      // a rule that fails adds what it added before failing; the raw attributes are already in meta
    }
  }
}

/**
 * A rule that throws on data it did not foresee gives no answer, and the next dialect is asked: the
 * span is never lost, and its raw attributes stay in meta (a rule marks keys consumed only once it
 * has produced its value).
 */
function ask(rule: ((ctx: DialectContext) => string | undefined) | undefined, ctx: DialectContext): string | undefined {
  if (rule === undefined) return undefined;
  try {
    return rule(ctx);
  } catch {
    return undefined;
  }
}
