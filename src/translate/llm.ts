/**
 * LLM dialects: the ways instrumentation writes LLM calls, each giving a span's type, input and
 * output (docs/mapping.md type rules 2-3, input/output rules 2-3). The first dialect with an answer wins,
 * field by field, so the order of DIALECTS is the precedence order.
 */
import { genAiDetailsEvent } from './dialects/genai-events.js';
import { genAiLegacy } from './dialects/genai-legacy.js';
import { mastra } from './dialects/mastra.js';
import { openInference } from './dialects/openinference.js';
import { traceloop } from './dialects/traceloop.js';
import { usage } from './dialects/usage.js';
import { vercelAi } from './dialects/vercel-ai.js';
import { genAi } from './genai.js';
import type { Dialect, DialectContext } from './dialect.js';

/**
 * In precedence order (docs/llm-spans.md): Mastra's own `mastra.<span type>.*` keys first (only its
 * exporter writes them, and its agent spans carry the GenAI system instructions but not the prompt);
 * then the current OTel GenAI conventions (rule 2), on
 * the span, then in a `gen_ai.client.inference.operation.details` event; then the dialects of rule 3
 * that say explicitly what the span is: OpenInference, the Vercel AI SDK, OpenLLMetry/Traceloop;
 * then the deprecated GenAI forms (indexed `gen_ai.prompt.N.*`, `gen_ai.prompt`, message events);
 * last, model and usage (a model attribute means `llm`), whose `meta` normalises every dialect's.
 */
export const DIALECTS: readonly Dialect[] = [mastra, genAi, genAiDetailsEvent, openInference, vercelAi, traceloop, genAiLegacy, usage];

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
