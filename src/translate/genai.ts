/** The OTel GenAI semantic conventions (current): type rule 2 and input/output rule 2 of docs/mapping.md. */
import { takeText, type Dialect, type DialectContext } from './dialect.js';
import { parseJson } from './dialects/messages.js';
import { asText, cleanString } from './values.js';

export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';

const OPERATION_TYPES: ReadonlyMap<string, string> = new Map([
  ['chat', 'llm'],
  ['text_completion', 'llm'],
  ['generate_content', 'llm'],
  ['embeddings', 'embedding'],
  ['execute_tool', 'tool'],
  ['invoke_agent', 'agent'],
  ['create_agent', 'agent'],
  ['invoke_workflow', 'workflow'],
  ['retrieval', 'retrieval'],
  ['plan', 'plan'],
  ['search_memory', 'retrieval'],
  ['create_memory', 'memory'],
  ['update_memory', 'memory'],
  ['upsert_memory', 'memory'],
  ['delete_memory', 'memory'],
  ['create_memory_store', 'memory'],
  ['delete_memory_store', 'memory'],
]);

const RETRIEVAL_QUERY = 'gen_ai.retrieval.query.text';
const RETRIEVAL_DOCUMENTS = 'gen_ai.retrieval.documents';
const MEMORY_QUERY = 'gen_ai.memory.query.text';
const MEMORY_RECORDS = 'gen_ai.memory.records';
/** The span event carrying one evaluation's result, and the meta list they are gathered in. */
const EVALUATION_EVENT = 'gen_ai.evaluation.result';
const EVALUATIONS = 'gen_ai.evaluations';
const EVALUATION_FIELDS = ['name', 'score.value', 'score.label', 'explanation'] as const;

export const genAi: Dialect = {
  name: 'gen_ai',
  type: ({ attributes }) => {
    const operation = attributes[GEN_AI_OPERATION_NAME];
    return typeof operation === 'string' ? OPERATION_TYPES.get(operation) : undefined;
  },
  input: (ctx) => {
    const system = ctx.attributes[GEN_AI_SYSTEM_INSTRUCTIONS];
    const messages = takeText(ctx, GEN_AI_INPUT_MESSAGES);
    if (system == null) return messages ?? takeText(ctx, GEN_AI_TOOL_CALL_ARGUMENTS) ?? operationInput(ctx);
    ctx.consumed.add(GEN_AI_SYSTEM_INSTRUCTIONS);
    return joinSystemInstructions(system, messages);
  },
  output: (ctx) => takeText(ctx, GEN_AI_OUTPUT_MESSAGES) ?? takeText(ctx, GEN_AI_TOOL_CALL_RESULT) ?? operationOutput(ctx),
  meta: (ctx, meta) => {
    const events = ctx.span.events;
    if (!Array.isArray(events)) return;
    const results: Record<string, unknown>[] = [];
    for (const event of events) {
      if (event?.name !== EVALUATION_EVENT) continue;
      const result: Record<string, unknown> = {};
      for (const field of EVALUATION_FIELDS) {
        const value = event.attributes?.[`gen_ai.evaluation.${field}`];
        if (value !== undefined && value !== null) result[field.replace('.', '_')] = typeof value === 'string' ? cleanString(value) : value;
      }
      if (Object.keys(result).length > 0) results.push(result);
    }
    if (results.length > 0) meta[EVALUATIONS] = results;
  },
};

/** The query of a retrieval or memory search, or the records a memory operation writes. */
function operationInput(ctx: DialectContext): string | undefined {
  const operation = ctx.attributes[GEN_AI_OPERATION_NAME];
  if (operation === 'retrieval') return takeText(ctx, RETRIEVAL_QUERY);
  if (operation === 'search_memory') return takeText(ctx, MEMORY_QUERY);
  if (typeof operation === 'string' && operation.endsWith('_memory')) return takeText(ctx, MEMORY_RECORDS);
  return undefined;
}

/** What a retrieval or memory search found. */
function operationOutput(ctx: DialectContext): string | undefined {
  const operation = ctx.attributes[GEN_AI_OPERATION_NAME];
  if (operation === 'retrieval') return takeText(ctx, RETRIEVAL_DOCUMENTS);
  if (operation === 'search_memory') return takeText(ctx, MEMORY_RECORDS);
  return undefined;
}

/**
 * The input messages with the system instructions in front, never throwing, never dropping text:
 * - messages that are a JSON array (or no messages): that array as JSON text with a leading
 *   `{"role":"system","parts":[...]}` entry, the GenAI message shape; the parts are the
 *   instructions' own parts when they are a JSON array (or object), else one `{"type":"text","content":...}`;
 * - messages that are anything else (plain text, broken JSON): `system: <instructions>\n\n<messages>`.
 */
export function joinSystemInstructions(system: unknown, messages: string | undefined): string | undefined {
  const systemText = asText(system);
  if (systemText === undefined) return messages;
  const list = messages === undefined ? [] : parseJson(messages);
  if (!Array.isArray(list)) return `system: ${systemText}\n\n${messages}`;
  const entry = { role: 'system', parts: systemParts(system, systemText) };
  try {
    return JSON.stringify([entry, ...list]); // escapes lone surrogates and NUL: the text stays storable
  } catch {
    return `system: ${systemText}\n\n${messages}`;
  }
}

function systemParts(system: unknown, systemText: string): unknown[] {
  const parsed = Array.isArray(system) ? system : typeof system === 'string' ? parseJson(system) : undefined;
  if (Array.isArray(parsed)) return parsed.map(toPart);
  if (typeof parsed === 'object' && parsed !== null) return [parsed];
  return [{ type: 'text', content: systemText }];
}

function toPart(item: unknown): unknown {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) return item;
  return { type: 'text', content: typeof item === 'string' ? item : (asText(item) ?? 'null') };
}
