/**
 * LLM dialects: the ways instrumentation writes LLM calls, each giving a span's type, input and
 * output (mapping.md type rules 2-3, input/output rules 2-3). The first dialect with an answer wins,
 * field by field, so the order of DIALECTS is the precedence order.
 */
import type { Attributes } from '@opentelemetry/api';
import { genAi } from './genai.js';
import type { ReadableSpanLike } from './types.js';

/** What a dialect sees of one span. */
export interface DialectContext {
  readonly span: ReadableSpanLike;
  readonly attributes: Attributes;
  /** Attributes that became type, input, output or score; meta leaves them out. A rule adds the keys it used. */
  readonly consumed: Set<string>;
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
 * In precedence order. The OTel GenAI conventions come first (rule 2); the other dialects of rule 3
 * (OpenInference, Vercel AI SDK, OpenLLMetry/Traceloop, then "a model attribute means llm") go after it.
 */
export const DIALECTS: readonly Dialect[] = [genAi];

export function dialectType(ctx: DialectContext): string | undefined {
  for (const dialect of DIALECTS) {
    const type = dialect.type?.(ctx);
    if (type !== undefined) return type;
  }
  return undefined;
}

export function dialectInput(ctx: DialectContext): string | undefined {
  for (const dialect of DIALECTS) {
    const input = dialect.input?.(ctx);
    if (input !== undefined) return input;
  }
  return undefined;
}

export function dialectOutput(ctx: DialectContext): string | undefined {
  for (const dialect of DIALECTS) {
    const output = dialect.output?.(ctx);
    if (output !== undefined) return output;
  }
  return undefined;
}

export function dialectMeta(ctx: DialectContext, meta: Record<string, unknown>): void {
  for (const dialect of DIALECTS) dialect.meta?.(ctx, meta);
}
