// Issue 25 end to end: real instrumentations record a prompt with a 700 KB PNG, an image link and a
// 300 KB WAV inline (OpenAI and Anthropic SDKs against the local stubs, traced by OpenInference and
// OpenLLMetry; the AI SDK's image and file parts), exported by OpperSpanExporter to the local
// Opper. Each span stays small, readable and whole: the text, the link and every part it recorded.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOpenAI } from '@ai-sdk/openai';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { generateText } from 'ai';
import { OpperSpanExporter } from '../../src/index.js';
import type { StoredSpan } from '../../src/testing/index.js';
import { startOpenAIStub, type OpenAIStub } from '../../examples/openai-stub.mjs';
import { IMAGE_URL, PNG_SIZE, QUESTION, WAV_SIZE, pngBytes, wavBytes } from './fixtures/media.mjs';
import { runAppsAgainstOpper, spansOfTrace, textOf, waitForTrace } from './helpers.js';

const PNG_DESCRIPTION = '[image: image/png, 700 KB, base64 omitted]';
const WAV_DESCRIPTION = '[audio: audio/wav, 300 KB, base64 omitted]';
const LONG_BASE64 = /[A-Za-z0-9+/_-]{1001,}/;
const ANSWER = `Stub answer to: ${QUESTION}`;

interface Case {
  readonly app: string;
  readonly scope: string;
  /** What the instrumentation records of the prompt (and so what Opper can show). */
  readonly images: number;
  readonly audio: number;
  readonly link: boolean;
  readonly mentions: readonly string[];
}

const CASES: readonly Case[] = [
  // With base64ImageMaxLength raised (else it writes `__REDACTED__`); input_audio is left out of its message list.
  {
    app: 'openinference',
    scope: '@arizeai/openinference-instrumentation-openai',
    images: 2,
    audio: 0,
    link: true,
    mentions: [PNG_DESCRIPTION],
  },
  {
    app: 'traceloop',
    scope: '@traceloop/instrumentation-openai',
    images: 2,
    audio: 1,
    link: true,
    mentions: [PNG_DESCRIPTION, WAV_DESCRIPTION],
  },
  {
    app: 'traceloop-legacy',
    scope: '@traceloop/instrumentation-openai',
    images: 2,
    audio: 1,
    link: true,
    mentions: [PNG_DESCRIPTION, WAV_DESCRIPTION],
  },
  // Records the media type of a base64 image, nothing of a linked one.
  {
    app: 'anthropic-openinference',
    scope: '@arizeai/openinference-instrumentation-anthropic',
    images: 2,
    audio: 0,
    link: false,
    mentions: [],
  },
  {
    app: 'anthropic-traceloop',
    scope: '@traceloop/instrumentation-anthropic',
    images: 2,
    audio: 0,
    link: true,
    mentions: [PNG_DESCRIPTION],
  },
];

const suite = runAppsAgainstOpper(
  'test/llm/fixtures/multimodal-app.mjs',
  CASES.map((c) => c.app),
);

/** The parts of every message of an input, flattened. */
function partsOf(input: unknown): Array<Record<string, unknown>> {
  const messages = JSON.parse(input as string) as Array<{ parts?: Array<Record<string, unknown>> }>;
  return messages.flatMap((message) => message.parts ?? []);
}

/** Small, whole, readable: the checks every multimodal span in Opper passes. */
function expectSmallAndWhole(span: StoredSpan): void {
  const stored = JSON.stringify(span);
  expect(Buffer.byteLength(stored)).toBeLessThan(20 * 1024);
  expect(stored).not.toMatch(LONG_BASE64);
  expect(stored).not.toContain('…[truncated');
  expect(span.meta).not.toHaveProperty('opper.truncated');
  expect(textOf(span.input)).toContain(QUESTION);
  expect(textOf(span.output)).toContain(ANSWER);
}

describe('multimodal prompts through real instrumentations', () => {
  it.each(CASES)('$app: one small LLM span with the text, the link and a part for each image and recording', async (c) => {
    const [span, ...rest] = await suite.scenarioSpans(c.app, c.scope, 'vision', 1);
    expect(rest).toHaveLength(0);
    expect(span!.type).toBe('llm');
    expectSmallAndWhole(span!);
    const parts = partsOf(span!.input);
    expect(parts.filter((part) => part.modality === 'image')).toHaveLength(c.images);
    expect(parts.filter((part) => part.modality === 'audio')).toHaveLength(c.audio);
    if (c.link) expect(parts).toContainEqual(expect.objectContaining({ type: 'uri', modality: 'image', uri: IMAGE_URL }));
    for (const mention of c.mentions) expect(span!.input).toContain(mention);
  });
});

describe('the Vercel AI SDK: image and file parts', () => {
  let stub: OpenAIStub;
  let provider: NodeTracerProvider;
  let traceId: string;
  beforeAll(async () => {
    stub = await startOpenAIStub();
    provider = new NodeTracerProvider({
      spanProcessors: [
        new BatchSpanProcessor(new OpperSpanExporter({ baseUrl: suite.opper.url, apiKey: suite.opper.apiKey }), {
          scheduledDelayMillis: 20,
        }),
      ],
    });
    provider.register();
    const openai = createOpenAI({ baseURL: stub.baseURL, apiKey: 'sk-stub' });
    await provider.getTracer('app').startActiveSpan('scenario ai-sdk vision', async (root) => {
      traceId = root.spanContext().traceId;
      try {
        await generateText({
          model: openai.chat('gpt-4o-mini'),
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: QUESTION },
                { type: 'image', image: new Uint8Array(pngBytes(PNG_SIZE)), mediaType: 'image/png' },
                { type: 'image', image: new URL(IMAGE_URL) },
                { type: 'file', data: wavBytes(WAV_SIZE).toString('base64'), mediaType: 'audio/wav' },
              ],
            },
          ],
          experimental_telemetry: { isEnabled: true },
        });
      } finally {
        root.end();
      }
    });
    await provider.forceFlush();
  });
  afterAll(async () => {
    await provider?.shutdown();
    await stub?.close();
  });

  it('the call (a Uint8Array in ai.prompt) and the provider call (base64 in ai.prompt.messages) stay small and whole', async () => {
    await waitForTrace(suite.opper, traceId, 3);
    const spans = spansOfTrace(suite.opper, traceId).filter((span) => span.meta?.['otel.scope.name'] === 'ai');
    expect(spans.map((span) => span.name).sort()).toEqual(['ai.generateText', 'ai.generateText.doGenerate']);
    for (const span of spans) {
      expectSmallAndWhole(span);
      const parts = partsOf(span.input);
      expect(parts.filter((part) => part.modality === 'image')).toHaveLength(2);
      expect(parts.filter((part) => part.modality === 'audio')).toHaveLength(1);
      expect(parts).toContainEqual(expect.objectContaining({ type: 'uri', modality: 'image', uri: IMAGE_URL }));
      expect(span.input).toContain(WAV_DESCRIPTION);
      expect(span.input).toMatch(/\[image: image\/png, ~?700 KB, (base64|byte array) omitted\]/);
    }
  });
});
