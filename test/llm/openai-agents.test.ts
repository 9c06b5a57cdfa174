// End to end: OpenAI Agents JS (@openai/agents) against the local OpenAI stub's Responses API,
// traced by @arizeai/openinference-instrumentation-openai-agents (the SDK's trace processors
// turned into OpenTelemetry spans), exported by OpperSpanExporter to the local Opper, from a
// plain `node` process (test/llm/fixtures/openai-agents-app.mjs).
import { describe, expect, it } from '@jest/globals';
import { STUB_CHAT_USAGE } from '../../examples/openai-stub.mjs';
import type { StoredSpan } from '../../src/testing/index.js';
import { readMessages, runAppsAgainstOpper, spansOfTrace, textOf } from './helpers.js';

const APP = 'openinference';
const SCOPE = '@arizeai/openinference-instrumentation-openai-agents';
const suite = runAppsAgainstOpper('test/llm/fixtures/openai-agents-app.mjs', [APP]);

// Per run of one agent that calls its tool once: the workflow (agent root and task), the agent,
// two turns, two model calls, the tool call.
const TOOL_RUN_SPANS = 8;

function named(spans: readonly StoredSpan[], name: string): StoredSpan[] {
  return spans.filter((span) => span.name === name);
}

/** The names of a span's ancestors in the stored trace, nearest first; throws on a broken link. */
function ancestors(span: StoredSpan, spans: readonly StoredSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.id, s]));
  const names: string[] = [];
  for (let parent = span.parent_id; parent !== null; ) {
    const next = byId.get(parent);
    if (next === undefined) throw new Error(`${span.name}: parent ${parent} is not in the trace`);
    names.push(next.name ?? '');
    parent = next.parent_id;
  }
  return names;
}

/** Usage in meta under the stable keys, once per model call and nowhere else. */
function expectUsageOnModelCallsOnly(spans: readonly StoredSpan[], modelCalls: number): void {
  const sum = (key: string) => spans.reduce((total, span) => total + ((span.meta?.[key] as number | undefined) ?? 0), 0);
  expect(sum('gen_ai.usage.input_tokens')).toBe(modelCalls * STUB_CHAT_USAGE.input);
  expect(sum('gen_ai.usage.output_tokens')).toBe(modelCalls * STUB_CHAT_USAGE.output);
  for (const span of spans) {
    if (span.type === 'llm') continue;
    expect(Object.keys(span.meta ?? {}).filter((key) => key.startsWith('gen_ai.usage.'))).toEqual([]);
  }
}

/** One agent's run with its tool: agent, model calls (tool call, then answer), tool span, tree. */
async function expectToolRun(scenario: string, question: string): Promise<void> {
  const spans = await suite.scenarioSpans(APP, SCOPE, scenario, TOOL_RUN_SPANS);
  expect(spans).toHaveLength(TOOL_RUN_SPANS);
  const trace = spansOfTrace(suite.opper, spans[0]!.meta?.['otel.trace_id'] as string);

  const [agent, ...moreAgents] = named(spans, 'Weather agent');
  expect(moreAgents).toHaveLength(0);
  expect(agent!.type).toBe('agent');
  const workflow = spans.find((span) => span.name === 'Agent workflow' && span.type === 'agent')!;
  expect(textOf(workflow.input)).toContain(question);
  expect(textOf(workflow.output)).toContain('The tool said: sunny, 21 C in Stockholm');
  expect(ancestors(workflow, trace)).toEqual([`scenario ${scenario}`]);

  const calls = spans.filter((span) => span.type === 'llm');
  expect(calls).toHaveLength(2);
  for (const call of calls) {
    expect(ancestors(call, trace)).toContain('Weather agent');
    expect(call.meta?.['gen_ai.request.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(call.meta?.['gen_ai.usage.input_tokens']).toBe(STUB_CHAT_USAGE.input);
    expect(call.meta?.['gen_ai.usage.output_tokens']).toBe(STUB_CHAT_USAGE.output);
    expect(call.meta?.['gen_ai.usage.cache_read.input_tokens']).toBe(STUB_CHAT_USAGE.cached);
    expect(call.meta?.['gen_ai.usage.reasoning.output_tokens']).toBe(STUB_CHAT_USAGE.reasoning);
  }
  const [asksTool, answers] = calls;
  const firstInput = readMessages(asksTool!.input);
  expect(firstInput?.map((m) => m.role)).toEqual(['system', 'user']);
  expect(firstInput?.[0]?.text).toContain('You answer questions about the weather.');
  expect(firstInput?.[1]?.text).toContain(question);
  expect(JSON.parse(asksTool!.output as string)).toEqual([
    {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: expect.stringMatching(/^call_stub_/), name: 'get_weather', arguments: { city: 'Stockholm' } }],
    },
  ]);
  expect(readMessages(answers!.input)?.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  expect(textOf(answers!.output)).toContain('The tool said: sunny, 21 C in Stockholm');
  // The raw request and response JSON became input and output, not meta.
  expect(JSON.stringify(answers!.meta)).not.toContain(question);

  const [tool, ...moreTools] = spans.filter((span) => span.type === 'tool');
  expect(moreTools).toHaveLength(0);
  expect(tool!.name).toBe('get_weather');
  expect(JSON.parse(tool!.input as string)).toEqual({ city: 'Stockholm' });
  expect(tool!.output).toBe('sunny, 21 C in Stockholm');
  expect(ancestors(tool!, trace)).toContain('Weather agent');

  expectUsageOnModelCallsOnly(spans, 2);
}

describe('@arizeai/openinference-instrumentation-openai-agents 0.2.15 with @openai/agents 0.20.0', () => {
  it('a run with a function tool: agent, model calls, tool call and usage, in one tree', async () => {
    await expectToolRun('run', 'What is the weather in Stockholm?');
  });

  it('a streamed run: the same spans, the answer from the stream (its response.completed event)', async () => {
    await expectToolRun('stream', 'Is it raining in Stockholm?');
  });

  it('a handoff: both agents, the handoff as a tool span from one to the other', async () => {
    // Two agent spans, two turns, two model calls, the handoff, the workflow's two spans.
    const spans = await suite.scenarioSpans(APP, SCOPE, 'handoff', 9);
    const trace = spansOfTrace(suite.opper, spans[0]!.meta?.['otel.trace_id'] as string);
    const [triage] = named(spans, 'Triage agent');
    const [weather] = named(spans, 'Weather agent');
    expect([triage!.type, weather!.type]).toEqual(['agent', 'agent']);
    expect(weather!.meta?.['graph.node.parent_id']).toBe('Triage agent');
    const [handoff] = named(spans, 'handoff to Weather agent');
    expect(handoff!.type).toBe('tool');
    expect(textOf(handoff!.input)).toContain('Triage agent');
    expect(textOf(handoff!.output)).toContain('Weather agent');
    expect(ancestors(handoff!, trace)).toContain('Triage agent');
    const calls = spans.filter((span) => span.type === 'llm');
    expect(calls.map((call) => ancestors(call, trace)[1])).toEqual(['Triage agent', 'Weather agent']);
    expect(textOf(calls[0]!.output)).toContain('transfer_to_Weather_agent');
    expectUsageOnModelCallsOnly(spans, 2);
  });

  it('breaks no rule of the Opper API', async () => {
    await suite.run(APP);
    expect(suite.opper.violations).toEqual([]);
  });
});
