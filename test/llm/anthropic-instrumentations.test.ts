// End to end: the `@anthropic-ai/sdk` client against the local Anthropic Messages stub,
// instrumented in turn by each Anthropic instrumentation, exported by OpperSpanExporter to the
// local Opper. Each app runs as a plain `node` process (test/llm/fixtures/anthropic-app.mjs):
// the instrumentations patch the SDK through require-in-the-middle, which does nothing in Jest.
import { describe, expect, it } from '@jest/globals';
import type { StoredSpan } from '../../src/testing/index.js';
import { STUB_ANTHROPIC_MODEL, STUB_ANTHROPIC_USAGE } from './fixtures/anthropic-stub.mjs';
import { expectGeographyChat, runAppsAgainstOpper, textOf } from './helpers.js';

interface Case {
  /** argv[2] of the fixture app. */
  readonly app: string;
  readonly scope: string;
  readonly title: string;
}

const CASES: readonly Case[] = [
  {
    app: 'openinference',
    scope: '@arizeai/openinference-instrumentation-anthropic',
    title: '@arizeai/openinference-instrumentation-anthropic 0.2.8',
  },
  {
    app: 'traceloop',
    scope: '@traceloop/instrumentation-anthropic',
    title: '@traceloop/instrumentation-anthropic 0.27.0',
  },
];

const suite = runAppsAgainstOpper(
  'test/llm/fixtures/anthropic-app.mjs',
  CASES.map((c) => c.app),
);

/** The instrumentation's spans in one scenario's trace. */
function scenarioSpans(c: Case, scenario: string, expected: number): Promise<StoredSpan[]> {
  return suite.scenarioSpans(c.app, c.scope, scenario, expected);
}

function expectModelAndUsage(span: StoredSpan): void {
  expect(span.type).toBe('llm');
  expect(span.meta?.['gen_ai.request.model']).toBe('claude-sonnet-4-5');
  expect(span.meta?.['gen_ai.response.model']).toBe(STUB_ANTHROPIC_MODEL);
  expect(span.meta?.['gen_ai.usage.input_tokens']).toBe(STUB_ANTHROPIC_USAGE.input);
  expect(span.meta?.['gen_ai.usage.output_tokens']).toBe(STUB_ANTHROPIC_USAGE.output);
}

describe.each(CASES)('$title', (c) => {
  it('a Messages call: type llm, the messages in input, the answer in output, model and usage in meta', async () => {
    const [span, ...rest] = await scenarioSpans(c, 'chat', 1);
    expect(rest).toHaveLength(0);
    expectModelAndUsage(span!);
    // Anthropic's top-level `system` prompt comes first (OpenInference has it only in input.value).
    expectGeographyChat(span!);
  });

  it('a streamed Messages call: the assembled answer in output, usage from the stream', async () => {
    const [span, ...rest] = await scenarioSpans(c, 'stream', 1);
    expect(rest).toHaveLength(0);
    expectModelAndUsage(span!);
    expect(textOf(span!.input)).toContain('Name three Swedish islands.');
    expect(textOf(span!.output)).toContain('Stub answer to: Name three Swedish islands.');
  });

  it('breaks no rule of the Opper API', async () => {
    await suite.run(c.app);
    expect(suite.opper.violations).toEqual([]);
  });
});
