/**
 * Model and token usage under the stable `gen_ai.*` meta keys, whichever dialect reported them,
 * and type rule 3's last resort: a model attribute means `llm`.
 *
 * Usage is counted once: a span that aggregates the usage of the spans under it (an outer Vercel
 * AI SDK call, an in-process GenAI `invoke_agent`/`invoke_workflow` span, an OpenInference AGENT or
 * CHAIN, a Traceloop workflow/task/agent) gets no `gen_ai.usage.*` keys; their values move to
 * `opper.aggregate.gen_ai.usage.*`, so Opper's trace totals count each model call once and the
 * roll-up stays visible. A remote agent (GenAI `invoke_agent` of kind CLIENT) keeps its usage:
 * its model calls are not in the trace.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { Dialect, DialectContext } from '../dialect.js';
import { cleanString, setKey } from '../values.js';
import { openInferenceKind } from './openinference.js';
import { isTraceloopAggregate } from './traceloop.js';
import { isVercelAggregate, vercelOperation } from './vercel-ai.js';

export const AGGREGATE_PREFIX = 'opper.aggregate.';
const USAGE_PREFIX = 'gen_ai.usage.';
const TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';

/** Normalised key -> the attributes it is read from, in precedence order. */
const USAGE_SOURCES: readonly (readonly [string, readonly string[]])[] = [
  [
    'gen_ai.usage.input_tokens',
    [
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.prompt_tokens',
      'llm.token_count.prompt',
      'ai.usage.inputTokens',
      'ai.usage.promptTokens',
      'ai.usage.tokens',
    ],
  ],
  [
    'gen_ai.usage.output_tokens',
    [
      'gen_ai.usage.output_tokens',
      'gen_ai.usage.completion_tokens',
      'llm.token_count.completion',
      'ai.usage.outputTokens',
      'ai.usage.completionTokens',
    ],
  ],
  [
    'gen_ai.usage.cache_read.input_tokens',
    [
      'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_read_input_tokens',
      'llm.token_count.prompt_details.cache_read',
      'ai.usage.inputTokenDetails.cacheReadTokens',
      'ai.usage.cachedInputTokens',
    ],
  ],
  [
    'gen_ai.usage.cache_write.input_tokens',
    [
      'gen_ai.usage.cache_write.input_tokens',
      'gen_ai.usage.cache_creation.input_tokens',
      'gen_ai.usage.cache_creation_input_tokens',
      'llm.token_count.prompt_details.cache_write',
      'ai.usage.inputTokenDetails.cacheWriteTokens',
    ],
  ],
  [
    'gen_ai.usage.reasoning.output_tokens',
    [
      'gen_ai.usage.reasoning.output_tokens',
      'gen_ai.usage.reasoning_tokens',
      'llm.token_count.completion_details.reasoning',
      'ai.usage.outputTokenDetails.reasoningTokens',
      'ai.usage.reasoningTokens',
    ],
  ],
];

/** Usage per modality (written only when not zero, as the conventions ask): current name first, then older ones. */
const MODALITY_SOURCES: readonly (readonly [string, readonly string[]])[] = [
  ...['text', 'image', 'video'].map(
    (modality) => [`gen_ai.usage.${modality}.input_tokens`, [`gen_ai.usage.${modality}.input_tokens`]] as const,
  ),
  ['gen_ai.usage.audio.input_tokens', ['gen_ai.usage.audio.input_tokens', 'llm.token_count.prompt_details.audio']],
  ...['text', 'image'].map((modality) => [`gen_ai.usage.${modality}.output_tokens`, [`gen_ai.usage.${modality}.output_tokens`]] as const),
  ['gen_ai.usage.audio.output_tokens', ['gen_ai.usage.audio.output_tokens', 'llm.token_count.completion_details.audio']],
];

const REQUEST_MODEL_SOURCES = ['gen_ai.request.model', 'llm.model_name', 'embedding.model_name', 'ai.model.id'];
const RESPONSE_MODEL_SOURCES = ['gen_ai.response.model', 'ai.response.model'];
/** OpenInference request parameters (JSON); longer texts are not parsed for the model. */
const INVOCATION_PARAMETERS = 'llm.invocation_parameters';
const MAX_PARAMETERS_CHARS = 16 * 1024;
const PROVIDER_SOURCES = ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'];

/** Whether the span's usage (if any) is the sum of its children's. */
export function isAggregate(ctx: DialectContext): boolean {
  const { attributes } = ctx;
  if (isVercelAggregate(attributes)) return true;
  const operation = attributes['gen_ai.operation.name'];
  if ((operation === 'invoke_agent' || operation === 'invoke_workflow') && ctx.span.kind !== SpanKind.CLIENT) return true;
  const kind = openInferenceKind(attributes);
  if (kind === 'AGENT' || kind === 'CHAIN') return true;
  return isTraceloopAggregate(attributes);
}

export const usage: Dialect = {
  name: 'model and usage',
  type: ({ attributes }) => {
    if (typeof attributes['gen_ai.request.model'] === 'string' || typeof attributes['llm.model_name'] === 'string') return 'llm';
    return typeof attributes['embedding.model_name'] === 'string' ? 'embedding' : undefined;
  },
  meta: (ctx, meta) => {
    const { attributes } = ctx;
    const named = firstString(attributes, REQUEST_MODEL_SOURCES);
    if (named === undefined && !mayHaveUsage(attributes)) return; // not an LLM span: nothing to do
    // OpenInference's llm.model_name is the model that answered when known; the request's is in its parameters.
    const requested = attributes['gen_ai.request.model'] === undefined ? invocationModel(attributes) : undefined;
    const model = requested ?? named;
    if (model !== undefined) meta['gen_ai.request.model'] = cleanString(model);
    let responseModel = firstString(attributes, RESPONSE_MODEL_SOURCES);
    if (responseModel === undefined && requested !== undefined && named !== undefined && named !== requested) responseModel = named;
    if (responseModel !== undefined) meta['gen_ai.response.model'] = cleanString(responseModel);
    const provider = firstString(attributes, PROVIDER_SOURCES);
    if (provider !== undefined && meta['gen_ai.provider.name'] === undefined) {
      // The AI SDK writes `openai.chat`, `openai.embedding`: the provider is the part before the dot.
      const name =
        vercelOperation(attributes) !== undefined && attributes['gen_ai.provider.name'] === undefined ? provider.split('.')[0]! : provider;
      meta['gen_ai.provider.name'] = cleanString(name);
    }
    const aggregate = isAggregate(ctx);
    for (const [key, sources] of USAGE_SOURCES) {
      const count = firstCount(attributes, sources);
      if (count !== undefined) meta[key] = count;
    }
    for (const [key, sources] of MODALITY_SOURCES) {
      const count = firstCount(attributes, sources);
      if (count) meta[key] = count;
    }
    // AI SDK: milliseconds from the call to the first streamed chunk.
    const msToFirstChunk = attributes['ai.response.msToFirstChunk'];
    if (meta[TIME_TO_FIRST_CHUNK] === undefined && typeof msToFirstChunk === 'number' && Number.isFinite(msToFirstChunk)) {
      meta[TIME_TO_FIRST_CHUNK] = msToFirstChunk / 1000;
    }
    if (aggregate) demoteUsage(meta);
  },
};

/** The `model` of OpenInference's `llm.invocation_parameters`, when it is short JSON that has one. */
function invocationModel(attributes: Attributes): string | undefined {
  const parameters = attributes[INVOCATION_PARAMETERS];
  if (typeof parameters !== 'string' || parameters.length > MAX_PARAMETERS_CHARS || !parameters.includes('"model"')) return undefined;
  try {
    const model: unknown = (JSON.parse(parameters) as { model?: unknown } | null)?.model;
    return typeof model === 'string' && model !== '' ? model : undefined;
  } catch {
    return undefined;
  }
}

/** Moves every `gen_ai.usage.*` entry to `opper.aggregate.gen_ai.usage.*`. */
function demoteUsage(meta: Record<string, unknown>): void {
  for (const key of Object.keys(meta)) {
    if (!key.startsWith(USAGE_PREFIX)) continue;
    setKey(meta, AGGREGATE_PREFIX + key, meta[key]);
    delete meta[key];
  }
}

/** A cheap test for any usage attribute of any dialect. */
function mayHaveUsage(attributes: Attributes): boolean {
  return (
    attributes['gen_ai.usage.input_tokens'] !== undefined ||
    attributes['gen_ai.usage.output_tokens'] !== undefined ||
    attributes['gen_ai.usage.prompt_tokens'] !== undefined ||
    attributes['gen_ai.usage.completion_tokens'] !== undefined ||
    attributes['llm.token_count.prompt'] !== undefined ||
    attributes['llm.token_count.completion'] !== undefined ||
    attributes['ai.usage.inputTokens'] !== undefined ||
    attributes['ai.usage.promptTokens'] !== undefined ||
    attributes['ai.usage.tokens'] !== undefined
  );
}

function firstString(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** The first token count: a finite, non-negative number, or a string of digits. */
function firstCount(attributes: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  }
  return undefined;
}
