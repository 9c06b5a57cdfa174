/** Which spans the processor exports: `spanFilter: 'ai'` (the default), `'all'`, or the user's function. */
import type { ReadableSpanLike } from '../translate/types.js';

/**
 * Attribute prefixes that mark a span as an LLM or agent span: OpenTelemetry GenAI, the Vercel AI
 * SDK, OpenInference, OpenLLMetry (Traceloop), Mastra, the OpenAI Agents SDK, LangSmith, Laminar,
 * and the user's own `opper.*` attributes.
 */
export const AI_ATTRIBUTE_PREFIXES: readonly string[] = [
  'gen_ai.',
  'ai.',
  'llm.',
  'traceloop.',
  'mastra.',
  'openai.agents.',
  'langsmith.',
  'lmnr.',
  'opper.',
];
/** Attributes (exact keys) that mark a span as an LLM or agent span: OpenInference's. */
export const AI_ATTRIBUTE_KEYS: readonly string[] = ['openinference.span.kind', 'input.value', 'output.value'];
/** Instrumentation scopes (tracer names) whose spans are LLM or agent spans: exact names. */
export const AI_SCOPES: readonly string[] = ['ai', 'gen_ai'];
/** ...and scope-name prefixes: OpenTelemetry's, OpenInference's and Traceloop's LLM instrumentations, Mastra, LangSmith, Laminar. */
export const AI_SCOPE_PREFIXES: readonly string[] = [
  '@opentelemetry/instrumentation-openai',
  '@opentelemetry/instrumentation-aws-bedrock',
  '@opentelemetry/instrumentation-google-genai',
  '@arizeai/openinference-',
  'openinference.',
  '@traceloop/',
  '@mastra/',
  'langsmith',
  '@lmnr-ai/',
];

/**
 * The user's own filter. A method's parameter is checked both ways, so a function typed on the
 * SDK's `ReadableSpan` (which has more than `ReadableSpanLike`) is accepted: the processor is
 * handed the SDK's spans. A plain function type would refuse it (TS2322).
 */
type SpanPredicate = { decide(span: ReadableSpanLike): boolean }['decide'];

export type SpanFilter = 'ai' | 'all' | SpanPredicate;

/** Whether a span carries LLM or agent semantics, by its scope and attribute keys (no values are read). */
export function isAiSpan(span: ReadableSpanLike): boolean {
  const scope = (span.instrumentationScope ?? span.instrumentationLibrary)?.name;
  if (typeof scope === 'string' && (AI_SCOPES.includes(scope) || AI_SCOPE_PREFIXES.some((prefix) => scope.startsWith(prefix)))) return true;
  const attributes = span.attributes;
  if (attributes == null) return false;
  // The SDK caps a span's attributes (128 by default), so this loop is bounded.
  for (const key in attributes) {
    if (AI_ATTRIBUTE_KEYS.includes(key)) return true;
    for (const prefix of AI_ATTRIBUTE_PREFIXES) if (key.startsWith(prefix)) return true;
  }
  return false;
}

/** The filter as a predicate; a user function that throws lets the span through (told via `onError`). */
export function toPredicate(filter: SpanFilter, onError: (error: unknown) => void): (span: ReadableSpanLike) => boolean {
  if (filter === 'all') return () => true;
  if (filter === 'ai') return isAiSpan;
  return (span) => {
    try {
      return filter(span) === true;
    } catch (error) {
      onError(error);
      return true;
    }
  };
}
