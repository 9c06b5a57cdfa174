// Issue 25: inline binary payloads in LLM spans become a short description in place, before the
// body budget applies, in every dialect; `keepBinaryPayloads` keeps the bytes.
import { describe, expect, it } from '@jest/globals';
import type { Attributes } from '@opentelemetry/api';
import { elideBinary } from '../../src/translate/binary.js';
import { translateSpan } from '../../src/translate/index.js';
import type { TimedEventLike } from '../../src/translate/types.js';
import { pngBytes, wavBytes } from '../llm/fixtures/media.mjs';
import { makeSpan, parse } from './helpers.js';
import {
  ANSWER,
  GENAI_CHAT,
  IMAGE_URL,
  LONG_BASE64,
  MENTIONS,
  MULTIMODAL_SPANS,
  PNG_BASE64,
  PNG_DESCRIPTION,
  QUESTION,
  WAV_BASE64,
  WAV_DESCRIPTION,
} from './multimodal.js';

const MAX = 512 * 1024;
const translate = (attributes: Attributes, events: TimedEventLike[] = [], options = {}) => {
  const translated = translateSpan(makeSpan({ attributes, events }), { maxBodyBytes: MAX, ...options });
  return { ...parse(translated), json: translated };
};
const event = (name: string, attributes: Attributes): TimedEventLike => ({ name, time: [1710928800, 5], attributes });
const dataUrl = (media: string, base64: string) => `data:${media};base64,${base64}`;
const SMALL_PNG = pngBytes(20 * 1024).toString('base64');

describe('the multimodal spans of the issue', () => {
  it.each(Object.keys(MULTIMODAL_SPANS))(
    '%s: under 20 KB, the text, the uri and every part mentioned, the answer out, nothing cut',
    (name) => {
      const { create, update, json } = translate(MULTIMODAL_SPANS[name]!);
      expect(Buffer.byteLength(json.create)).toBeLessThan(20 * 1024);
      expect(Buffer.byteLength(json.update)).toBeLessThan(20 * 1024);
      const input = create.input as string;
      for (const mention of [QUESTION, ...MENTIONS[name]!]) expect(input).toContain(mention);
      expect(update.output).toContain(ANSWER);
      expect(create.type).toBe('llm');
      expect(json.create + json.update).not.toContain('…[truncated');
      expect(create.meta).not.toHaveProperty('opper.truncated');
      expect(json.create + json.update).not.toMatch(LONG_BASE64);
    },
  );

  it('keeps the parts in order, in the GenAI message shape, each payload described where it stood', () => {
    const { create } = translate(GENAI_CHAT);
    expect(JSON.parse(create.input as string)).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: QUESTION },
          { type: 'blob', modality: 'image', mime_type: 'image/png', content: PNG_DESCRIPTION },
          { type: 'uri', modality: 'image', uri: IMAGE_URL },
          { type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: WAV_DESCRIPTION },
        ],
      },
    ]);
  });

  it('reads an OpenInference data: URL as a blob part, the link as a uri part', () => {
    const { create } = translate(MULTIMODAL_SPANS.OpenInference!);
    expect(JSON.parse(create.input as string)[0].parts).toEqual([
      { type: 'text', content: QUESTION },
      { type: 'blob', modality: 'image', mime_type: 'image/png', content: PNG_DESCRIPTION },
      { type: 'uri', modality: 'image', uri: IMAGE_URL },
    ]);
  });

  it('keepBinaryPayloads: true sends the bytes as before (and the body budget cuts them); false and unset describe them', () => {
    const { create } = translate(GENAI_CHAT, [], { keepBinaryPayloads: true });
    expect(create.input).toContain(PNG_BASE64.slice(0, 5000));
    expect(create.input).not.toContain(IMAGE_URL);
    expect(create.meta['opper.truncated']).toBe(true);
    for (const options of [{}, { keepBinaryPayloads: false }])
      expect(translate(GENAI_CHAT, [], options).create.input).toContain(PNG_DESCRIPTION);
  });
});

/** Spans of every dialect with binary payloads where their input and output are read from. */
const DIALECT_SPANS: ReadonlyArray<readonly [string, Attributes, TimedEventLike[]?]> = [
  [
    'GenAI details event',
    {},
    [
      event('gen_ai.client.inference.operation.details', {
        'gen_ai.input.messages': JSON.stringify([
          {
            role: 'user',
            parts: [
              { type: 'text', content: QUESTION },
              { type: 'blob', modality: 'audio', content: WAV_BASE64 },
            ],
          },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'blob', modality: 'image', mime_type: 'image/png', content: PNG_BASE64 }] },
        ]),
      }),
    ],
  ],
  [
    'GenAI structured (OTLP kvlist) messages',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'blob', modality: 'image', content: PNG_BASE64 }] }] as unknown as string,
      'gen_ai.output.messages': [
        { role: 'assistant', parts: [{ type: 'blob', modality: 'audio', content: WAV_BASE64 }] },
      ] as unknown as string,
    },
  ],
  [
    'GenAI tool call',
    {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.call.arguments': JSON.stringify({ image: PNG_BASE64 }),
      'gen_ai.tool.call.result': JSON.stringify({ screenshot: PNG_BASE64 }),
    },
  ],
  [
    'GenAI deprecated indexed (OpenAI parts)',
    {
      'gen_ai.system': 'openai',
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': JSON.stringify([
        { type: 'text', text: QUESTION },
        { type: 'image_url', image_url: { url: dataUrl('image/png', PNG_BASE64) } },
        { type: 'input_audio', input_audio: { data: WAV_BASE64, format: 'wav' } },
      ]),
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': JSON.stringify([{ type: 'image_url', image_url: { url: dataUrl('image/png', PNG_BASE64) } }]),
    },
  ],
  [
    'GenAI deprecated events (Anthropic blocks)',
    { 'gen_ai.system': 'anthropic' },
    [
      event('gen_ai.user.message', {
        content: JSON.stringify([
          { type: 'text', text: QUESTION },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
        ]),
      }),
      event('gen_ai.choice', {
        index: 0,
        finish_reason: 'stop',
        message: JSON.stringify({
          content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: WAV_BASE64 } }],
        }),
      }),
    ],
  ],
  ['GenAI deprecated whole text', { 'gen_ai.prompt': dataUrl('image/png', PNG_BASE64), 'gen_ai.completion': WAV_BASE64 }],
  [
    'OpenInference chain',
    {
      'openinference.span.kind': 'CHAIN',
      'input.value': JSON.stringify({ image: PNG_BASE64 }),
      'output.value': dataUrl('audio/wav', WAV_BASE64),
    },
  ],
  [
    'Vercel AI SDK outer call, a Uint8Array in ai.prompt',
    {
      'ai.operationId': 'ai.generateText',
      'ai.prompt': JSON.stringify({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: QUESTION },
              { type: 'image', image: new Uint8Array(pngBytes(400 * 1024)) },
            ],
          },
        ],
      }),
      'ai.response.text': ANSWER,
    },
  ],
  [
    'Vercel AI SDK outer call, a Buffer in ai.prompt',
    {
      'ai.operationId': 'ai.generateText',
      'ai.prompt': JSON.stringify({
        messages: [{ role: 'user', content: [{ type: 'file', mediaType: 'audio/wav', data: wavBytes(40 * 1024) }] }],
      }),
      'ai.response.text': ANSWER,
    },
  ],
  [
    'Vercel AI SDK tool call',
    {
      'ai.operationId': 'ai.toolCall',
      'ai.toolCall.args': JSON.stringify({ png: PNG_BASE64 }),
      'ai.toolCall.result': JSON.stringify({ wav: WAV_BASE64 }),
    },
  ],
  [
    'OpenLLMetry task',
    {
      'traceloop.span.kind': 'task',
      'traceloop.entity.input': JSON.stringify({ args: [{ image: PNG_BASE64 }], kwargs: {} }),
      'traceloop.entity.output': JSON.stringify(dataUrl('image/png', PNG_BASE64)),
    },
  ],
  [
    'Mastra agent run',
    {
      'mastra.span.type': 'agent_run',
      'mastra.agent_run.input': JSON.stringify([
        {
          role: 'user',
          content: [
            { type: 'text', text: QUESTION },
            { type: 'image', image: PNG_BASE64, mediaType: 'image/png' },
          ],
        },
      ]),
      'mastra.agent_run.output': JSON.stringify({ object: { chart: dataUrl('image/png', PNG_BASE64) } }),
    },
  ],
  [
    'opper.input / opper.output, MIME-wrapped base64',
    { 'opper.input': PNG_BASE64.replace(/(.{76})/g, '$1\n'), 'opper.output': `${ANSWER}\n${WAV_BASE64.replace(/(.{76})/g, '$1\r\n')}` },
  ],
];

describe('no base64 run over 1,000 characters reaches Opper from any dialect', () => {
  it.each(DIALECT_SPANS.map(([name, attributes, events]) => [name, attributes, events ?? []] as const))(
    '%s',
    (_name, attributes, events) => {
      const { create, update, json } = translate(attributes, events);
      expect(create.input).toMatch(/omitted\]/);
      expect(update.output === ANSWER || /omitted\]/.test(update.output as string)).toBe(true);
      expect(json.create + json.update).not.toMatch(LONG_BASE64);
      expect(create.meta).not.toHaveProperty('opper.truncated');
    },
  );

  it('describes a byte list attribute (an int[] of bytes) in meta', () => {
    const { create } = translate({ 'app.upload': Array.from(pngBytes(4096)) });
    expect(create.meta['app.upload']).toBe('[image: image/png, 4.0 KB, byte array omitted]');
  });
});

describe('what is a payload', () => {
  const elide = (text: string) => elideBinary(text, { chars: 10_000_000 });

  it('names the media type by the bytes, the data: URL or the JSON key beside it', () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), pngBytes(3000).subarray(20)]).toString('base64');
    expect(elide(`see ${dataUrl('application/pdf', pdf)} here`)).toBe('see [document: application/pdf, 2.9 KB, base64 omitted] here');
    const unknown = Buffer.from(pngBytes(3000).subarray(40)).toString('base64');
    expect(elide(JSON.stringify({ mime_type: 'video/mp4', data: unknown }))).toBe(
      '{"mime_type":"video/mp4","data":"[video: video/mp4, 2.9 KB, base64 omitted]"}',
    );
    expect(elide(JSON.stringify({ data: unknown }))).toBe('{"data":"[binary: 2.9 KB, base64 omitted]"}');
    expect(elide(dataUrl('image/gif', SMALL_PNG.slice(0, 100)))).toBe('[image: image/png, 75 bytes, base64 omitted]');
  });

  it('leaves text alone: short base64, hex, long words, URLs, number lists that are not bytes', () => {
    const texts = [
      `token ${PNG_BASE64.slice(1000, 1700)} stays`,
      'ab12'.repeat(400),
      'a'.repeat(5000),
      `https://example.com/${'path/'.repeat(300)}`,
      JSON.stringify(Array.from({ length: 600 }, (_, i) => i)),
      JSON.stringify(Array.from({ length: 600 }, (_, i) => i / 7)),
    ];
    for (const text of texts) {
      expect(elide(text)).toBe(text);
      expect(elide(`${text} ${dataUrl('image/png', SMALL_PNG)}`)).toBe(`${text} [image: image/png, 20 KB, base64 omitted]`);
    }
  });

  it('reads a megabyte of base64 with a few hundred reads, prose a few characters in 64, and never more than its budget', () => {
    const json = JSON.stringify({ before: QUESTION, image: PNG_BASE64 + PNG_BASE64, after: IMAGE_URL });
    const budget = { chars: 1_000_000 };
    expect(elideBinary(json, budget)).toBe(
      JSON.stringify({ before: QUESTION, image: '[image: image/png, 1.4 MB, base64 omitted]', after: IMAGE_URL }),
    );
    expect(1_000_000 - budget.chars).toBeLessThan(1_000);
    const words = 'The harbour at dusk, and a voice counting to three. '.repeat(4_000);
    const looked = { chars: 1_000_000 };
    expect(elideBinary(words, looked)).toBe(words);
    expect(1_000_000 - looked.chars).toBeLessThan(words.length / 4); // a few reads per 64 characters
    const prose = `${'The harbour at dusk. '.repeat(200_000)}${dataUrl('image/png', SMALL_PNG)}`;
    const small = { chars: 100_000 };
    expect(elideBinary(prose, small)).toBe(prose);
    expect(small.chars).toBeLessThanOrEqual(0);
  });
});
