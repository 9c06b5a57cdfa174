// End to end: the Vercel AI SDK (`ai` 6 with `@ai-sdk/openai` against the local OpenAI stub)
// with its telemetry enabled, exported by OpperSpanExporter to the local Opper. The AI SDK
// makes its spans itself (no module patching), so this runs inside Jest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOpenAI } from '@ai-sdk/openai';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { embed, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { OpperSpanExporter } from '../../src/index.js';
import { startLocalOpper, type LocalOpper, type StoredSpan } from '../../src/testing/index.js';
import { startOpenAIStub, STUB_CHAT_USAGE, STUB_EMBEDDING_TOKENS, type OpenAIStub } from '../../examples/openai-stub.mjs';
import { readMessages, spansOfTrace, textOf } from './helpers.js';

let opper: LocalOpper;
let stub: OpenAIStub;
let provider: NodeTracerProvider;
const traces: Record<string, string> = {};

const telemetry = { isEnabled: true, functionId: 'trip-planner', metadata: { user: 'u-42' } };

beforeAll(async () => {
  [opper, stub] = await Promise.all([startLocalOpper(), startOpenAIStub()]);
  provider = new NodeTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey }), { scheduledDelayMillis: 20 }),
    ],
  });
  provider.register();
  const openai = createOpenAI({ baseURL: stub.baseURL, apiKey: 'sk-stub' });
  const tracer = provider.getTracer('app');
  const traced = (name: string, fn: () => Promise<unknown>) =>
    tracer.startActiveSpan(`scenario ${name}`, async (span) => {
      traces[name] = span.spanContext().traceId;
      try {
        await fn();
      } finally {
        span.end();
      }
    });

  await traced('text', () =>
    generateText({
      model: openai.chat('gpt-4o-mini'),
      system: 'You are a terse geography tutor.',
      prompt: 'What is the capital of Sweden?',
      experimental_telemetry: telemetry,
    }),
  );
  await traced('tools', () =>
    generateText({
      model: openai.chat('gpt-4o-mini'),
      prompt: 'What is the weather in Stockholm?',
      stopWhen: stepCountIs(3),
      tools: {
        get_weather: tool({
          description: 'Current weather in a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => ({ city, weather: 'sunny, 21 C' }),
        }),
      },
      experimental_telemetry: telemetry,
    }),
  );
  await traced('stream', async () => {
    const result = streamText({
      model: openai.chat('gpt-4o-mini'),
      prompt: 'Name three Swedish islands.',
      experimental_telemetry: telemetry,
    });
    for await (const part of result.textStream) void part;
  });
  await traced('embed', () =>
    embed({ model: openai.embedding('text-embedding-3-small'), value: 'Stockholm archipelago', experimental_telemetry: telemetry }),
  );
  await provider.forceFlush();
});

afterAll(async () => {
  await provider?.shutdown();
  await Promise.all([opper?.close(), stub?.close()]);
});

/** The AI SDK's spans of one scenario, by name (several spans may share a name). */
async function scenario(name: string, expected: number): Promise<Map<string, StoredSpan[]>> {
  const traceId = traces[name]!;
  await opper.waitForSpans(() => spansOfTrace(opper, traceId).filter((s) => s.end_time !== null).length >= expected + 1, 10_000);
  const byName = new Map<string, StoredSpan[]>();
  for (const span of spansOfTrace(opper, traceId)) {
    if (span.meta?.['otel.scope.name'] !== 'ai') continue;
    byName.set(span.name!, [...(byName.get(span.name!) ?? []), span]);
  }
  return byName;
}

/** Opper's own token total for a trace (what its trace view shows). */
function traceTotal(otelTraceId: string): number | null | undefined {
  const t = otelTraceId;
  return opper.trace(`${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`)?.total_tokens;
}

const CALL_TOKENS = STUB_CHAT_USAGE.input + STUB_CHAT_USAGE.output;

describe('Vercel AI SDK (ai 6.0.326, @ai-sdk/openai 3.0.141), experimental_telemetry enabled', () => {
  it('generateText: the outer span is an agent showing the prompt and answer; the model call is an llm span with usage', async () => {
    const spans = await scenario('text', 2);
    const [outer] = spans.get('ai.generateText')!;
    const [call] = spans.get('ai.generateText.doGenerate')!;

    expect(outer!.type).toBe('agent');
    const outerInput = readMessages(outer!.input);
    expect(outerInput?.map((m) => m.role)).toEqual(['system', 'user']);
    expect(outerInput?.[1]?.text).toContain('What is the capital of Sweden?');
    expect(outer!.output).toBe('Stub answer to: What is the capital of Sweden?');
    expect(outer!.meta?.['gen_ai.request.model']).toBe('gpt-4o-mini');

    expect(call!.type).toBe('llm');
    const callInput = readMessages(call!.input);
    expect(callInput?.map((m) => m.role)).toEqual(['system', 'user']);
    expect(callInput?.[0]?.text).toContain('You are a terse geography tutor.');
    expect(callInput?.[1]?.text).toContain('What is the capital of Sweden?');
    expect(call!.output).toBe('Stub answer to: What is the capital of Sweden?');
    expect(call!.meta).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': STUB_CHAT_USAGE.input,
      'gen_ai.usage.output_tokens': STUB_CHAT_USAGE.output,
      'gen_ai.usage.cache_read.input_tokens': STUB_CHAT_USAGE.cached,
      'gen_ai.usage.reasoning.output_tokens': STUB_CHAT_USAGE.reasoning,
    });
    // Input and output are not repeated in meta.
    expect(JSON.stringify(call!.meta)).not.toContain('What is the capital of Sweden?');
    expect(JSON.stringify(outer!.meta)).not.toContain('Stub answer to:');
  });

  it('generateText with a tool: tool span with arguments and result; usage counted once per model call', async () => {
    const spans = await scenario('tools', 4);
    const [outer] = spans.get('ai.generateText')!;
    const calls = spans.get('ai.generateText.doGenerate')!;
    const [toolSpan] = spans.get('ai.toolCall')!;
    expect(calls).toHaveLength(2);

    expect(toolSpan!.type).toBe('tool');
    expect(textOf(toolSpan!.input)).toContain('Stockholm');
    expect(textOf(toolSpan!.output)).toContain('sunny, 21 C');

    const [ask, answer] = [...calls].sort((a, b) => a.start_time!.localeCompare(b.start_time!));
    expect(textOf(ask!.output)).toContain('get_weather');
    const history = readMessages(answer!.input);
    expect(history?.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(history?.[1]?.text).toContain('get_weather');
    expect(history?.[2]?.text).toContain('sunny, 21 C');

    // The outer span's usage is the sum of its steps: it stays visible, but not as gen_ai.usage.*,
    // so Opper's trace total counts each model call once.
    expect(outer!.meta?.['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(outer!.meta?.['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(outer!.meta?.['ai.usage.inputTokens']).toBe(2 * STUB_CHAT_USAGE.input);
    expect(traceTotal(traces.tools!)).toBe(2 * CALL_TOKENS);
  });

  it('streamText: the streamed answer in output, usage on the model call only', async () => {
    const spans = await scenario('stream', 2);
    const [outer] = spans.get('ai.streamText')!;
    const [call] = spans.get('ai.streamText.doStream')!;
    expect(outer!.type).toBe('agent');
    expect(call!.type).toBe('llm');
    expect(textOf(call!.input)).toContain('Name three Swedish islands.');
    expect(call!.output).toBe('Stub answer to: Name three Swedish islands.');
    expect(outer!.output).toBe('Stub answer to: Name three Swedish islands.');
    expect(call!.meta?.['gen_ai.usage.input_tokens']).toBe(STUB_CHAT_USAGE.input);
    expect(traceTotal(traces.stream!)).toBe(CALL_TOKENS);
  });

  it('embed: embedding spans with the value in input and the token count once', async () => {
    const spans = await scenario('embed', 2);
    const [outer] = spans.get('ai.embed')!;
    const [call] = spans.get('ai.embed.doEmbed')!;
    expect(outer!.type).toBe('embedding');
    expect(call!.type).toBe('embedding');
    expect(textOf(call!.input)).toContain('Stockholm archipelago');
    expect(call!.meta?.['gen_ai.request.model']).toBe('text-embedding-3-small');
    expect(call!.meta?.['gen_ai.usage.input_tokens']).toBe(STUB_EMBEDDING_TOKENS);
    expect(outer!.meta?.['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(traceTotal(traces.embed!)).toBe(STUB_EMBEDDING_TOKENS);
  });

  it('breaks no rule of the Opper API', () => {
    expect(opper.violations).toEqual([]);
  });
});
