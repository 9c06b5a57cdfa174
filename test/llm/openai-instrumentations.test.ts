// End to end: the `openai` SDK against the local OpenAI stub, instrumented in turn by each
// OpenAI instrumentation, exported by OpperSpanExporter to the local Opper. Each app runs as a
// plain `node` process (test/llm/fixtures/openai-app.mjs): the instrumentations patch `openai`
// through require-in-the-middle, which does nothing inside Jest's module VM.
import { describe, expect, it } from '@jest/globals';
import type { StoredSpan } from '../../src/testing/index.js';
import { STUB_CHAT_USAGE, STUB_EMBEDDING_TOKENS } from '../../examples/openai-stub.mjs';
import { expectGeographyChat, readMessages, runAppsAgainstOpper, textOf } from './helpers.js';

/** What each instrumentation records, as read from its source (see docs/llm-mapping.md). */
interface Case {
  /** argv[2] of the fixture app. */
  readonly app: string;
  readonly scope: string;
  readonly title: string;
  /** Prompts and completions reach the span (not only the log pipeline). */
  readonly content: boolean;
  /** Reports cached and reasoning tokens. */
  readonly tokenDetails: boolean;
  /** Records usage for a streamed chat (from the `include_usage` chunk). */
  readonly streamUsage: boolean;
  /** Embeddings: undefined when not instrumented at all. */
  readonly embeddings?: { readonly input: boolean; readonly usage: boolean };
  /** The assistant's tool call is recorded in the next request's input. */
  readonly toolCallInHistory: boolean;
}

const CASES: readonly Case[] = [
  {
    app: 'otel',
    scope: '@opentelemetry/instrumentation-openai',
    title: '@opentelemetry/instrumentation-openai 0.21.0 (content only in log records)',
    content: false,
    tokenDetails: false,
    streamUsage: true,
    embeddings: { input: false, usage: true },
    toolCallInHistory: false,
  },
  {
    app: 'otel-events',
    scope: '@opentelemetry/instrumentation-openai',
    title: '@opentelemetry/instrumentation-openai 0.21.0 with its log events copied onto the span',
    content: true,
    tokenDetails: false,
    streamUsage: true,
    embeddings: { input: false, usage: true },
    toolCallInHistory: true,
  },
  {
    app: 'openinference',
    scope: '@arizeai/openinference-instrumentation-openai',
    title: '@arizeai/openinference-instrumentation-openai 4.2.7',
    content: true,
    tokenDetails: true,
    streamUsage: false,
    embeddings: { input: true, usage: false },
    toolCallInHistory: true,
  },
  {
    app: 'traceloop',
    scope: '@traceloop/instrumentation-openai',
    title: '@traceloop/instrumentation-openai 0.27.0 (current GenAI conventions)',
    content: true,
    tokenDetails: false,
    streamUsage: false,
    toolCallInHistory: true,
  },
  {
    app: 'traceloop-legacy',
    scope: '@traceloop/instrumentation-openai',
    title: '@traceloop/instrumentation-openai 0.22.5 (deprecated indexed gen_ai.prompt.N.*)',
    content: true,
    tokenDetails: false,
    streamUsage: false,
    toolCallInHistory: false,
  },
];

const suite = runAppsAgainstOpper(
  'test/llm/fixtures/openai-app.mjs',
  CASES.map((c) => c.app),
);

/** The instrumentation's spans in one scenario's trace. */
function scenarioSpans(c: Case, scenario: string, expected: number): Promise<StoredSpan[]> {
  return suite.scenarioSpans(c.app, c.scope, scenario, expected);
}

function expectUsage(span: StoredSpan, input: number, output?: number): void {
  expect(span.meta?.['gen_ai.usage.input_tokens']).toBe(input);
  if (output !== undefined) expect(span.meta?.['gen_ai.usage.output_tokens']).toBe(output);
}

function expectNoUsage(span: StoredSpan): void {
  expect(span.meta?.['gen_ai.usage.input_tokens']).toBeUndefined();
  expect(span.meta?.['gen_ai.usage.output_tokens']).toBeUndefined();
}

describe.each(CASES)('$title', (c) => {
  it('a chat call: type llm, the messages in input, the answer in output, model and usage in meta', async () => {
    const [span, ...rest] = await scenarioSpans(c, 'chat', 1);
    expect(rest).toHaveLength(0);
    expect(span!.type).toBe('llm');
    expect(span!.meta?.['gen_ai.request.model']).toMatch(/^gpt-4o-mini/);
    expectUsage(span!, STUB_CHAT_USAGE.input, STUB_CHAT_USAGE.output);
    if (c.tokenDetails) {
      expect(span!.meta?.['gen_ai.usage.cache_read.input_tokens']).toBe(STUB_CHAT_USAGE.cached);
      expect(span!.meta?.['gen_ai.usage.reasoning.output_tokens']).toBe(STUB_CHAT_USAGE.reasoning);
    }
    if (!c.content) {
      // What users see: type, model and usage, but no prompt or completion on the span.
      expect(span!.input).toBeNull();
      expect(span!.output).toBeNull();
      return;
    }
    expectGeographyChat(span!);
  });

  it('a streamed chat: the assembled answer in output', async () => {
    const [span] = await scenarioSpans(c, 'stream', 1);
    expect(span!.type).toBe('llm');
    expect(span!.meta?.['gen_ai.request.model']).toMatch(/^gpt-4o-mini/);
    if (c.streamUsage) expectUsage(span!, STUB_CHAT_USAGE.input, STUB_CHAT_USAGE.output);
    else expectNoUsage(span!); // the instrumentation ignores the `include_usage` chunk
    if (!c.content) return;
    expect(textOf(span!.input)).toContain('Name three Swedish islands.');
    expect(textOf(span!.output)).toContain('Stub answer to: Name three Swedish islands.');
  });

  it('a tool round trip: the tool call in the first output, the tool result in the second input', async () => {
    const spans = await scenarioSpans(c, 'tools', 2);
    expect(spans).toHaveLength(2);
    const [ask, answer] = spans;
    for (const span of spans) {
      expect(span.type).toBe('llm');
      expectUsage(span, STUB_CHAT_USAGE.input, STUB_CHAT_USAGE.output);
    }
    if (!c.content) return;
    expect(textOf(ask!.output)).toContain('get_weather');
    expect(textOf(ask!.output)).toContain('Stockholm');
    const history = readMessages(answer!.input);
    expect(history?.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(history?.[2]?.text).toContain('sunny, 21 C');
    if (c.toolCallInHistory) expect(history?.[1]?.text).toContain('get_weather');
    expect(textOf(answer!.output)).toContain('The tool said: sunny, 21 C');
  });

  it('an embeddings call', async () => {
    const spans = await scenarioSpans(c, 'embeddings', c.embeddings ? 1 : 0);
    if (!c.embeddings) {
      expect(spans).toHaveLength(0); // not instrumented: no span at all
      return;
    }
    const [span] = spans;
    expect(span!.type).toBe('embedding');
    expect(span!.meta?.['gen_ai.request.model']).toBe('text-embedding-3-small');
    if (c.embeddings.usage) expect(span!.meta?.['gen_ai.usage.input_tokens']).toBe(STUB_EMBEDDING_TOKENS);
    else expectNoUsage(span!);
    if (c.embeddings.input) expect(textOf(span!.input)).toContain('Stockholm archipelago');
  });

  it('breaks no rule of the Opper API', async () => {
    await suite.run(c.app);
    expect(suite.opper.violations).toEqual([]);
  });
});
