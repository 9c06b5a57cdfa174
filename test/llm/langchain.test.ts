// End to end: LangChain.js (`ChatOpenAI` from @langchain/openai) against the local OpenAI stub,
// traced by @arizeai/openinference-instrumentation-langchain, exported by OpperSpanExporter to
// the local Opper, from a plain `node` process (test/llm/fixtures/langchain-app.mjs).
import { describe, expect, it } from '@jest/globals';
import { STUB_CHAT_USAGE } from '../../examples/openai-stub.mjs';
import { expectGeographyChat, runAppsAgainstOpper, textOf } from './helpers.js';

const APP = 'openinference';
const SCOPE = '@arizeai/openinference-instrumentation-langchain';
const suite = runAppsAgainstOpper('test/llm/fixtures/langchain-app.mjs', [APP]);

describe('@arizeai/openinference-instrumentation-langchain 4.1.1 with @langchain/openai 1.5.8', () => {
  it('a chat model call: type llm, the messages in input, the answer in output, model and usage in meta', async () => {
    const [span, ...rest] = await suite.scenarioSpans(APP, SCOPE, 'chat', 1);
    expect(rest).toHaveLength(0);
    expect(span!.type).toBe('llm');
    expect(span!.meta?.['gen_ai.request.model']).toBe('gpt-4o-mini');
    expect(span!.meta?.['gen_ai.usage.input_tokens']).toBe(STUB_CHAT_USAGE.input);
    expect(span!.meta?.['gen_ai.usage.output_tokens']).toBe(STUB_CHAT_USAGE.output);
    // Also: the serialised LangChain request and response (input.value/output.value) not in meta.
    expectGeographyChat(span!);
  });

  it('a streamed chat model call: the assembled answer in output, usage from the stream', async () => {
    const [span, ...rest] = await suite.scenarioSpans(APP, SCOPE, 'stream', 1);
    expect(rest).toHaveLength(0);
    expect(span!.type).toBe('llm');
    expect(span!.meta?.['gen_ai.usage.input_tokens']).toBe(STUB_CHAT_USAGE.input);
    expect(textOf(span!.input)).toContain('Name three Swedish islands.');
    expect(textOf(span!.output)).toContain('Stub answer to: Name three Swedish islands.');
  });

  it('breaks no rule of the Opper API', async () => {
    await suite.run(APP);
    expect(suite.opper.violations).toEqual([]);
  });
});
