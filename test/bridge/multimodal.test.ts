// Issue 25 through the other two doors: the multimodal spans (a 700 KB PNG, an image link
// and a 300 KB WAV inline) made by a real SDK, sent by OpperSpanProcessor, and by OpenTelemetry
// JS's OTLP exporters into the bridge; each lands small and whole in the local Opper, and
// `keepBinaryPayloads` keeps the bytes on both doors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Attributes } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OpperSpanProcessor } from '../../src/index.js';
import { startLocalOpper, type LocalOpper, type StoredSpan } from '../../src/testing/index.js';
import { ANSWER, GENAI_CHAT, LONG_BASE64, MENTIONS, MULTIMODAL_SPANS, PNG_BASE64, QUESTION } from '../translate/multimodal.js';
import { otlpExporter, sdkWith, startBridge, type ClientKind } from './helpers.js';

const NAMES = Object.keys(MULTIMODAL_SPANS);

function expectSmallAndWhole(span: StoredSpan | undefined, name: string): void {
  expect(span).toBeDefined();
  const stored = JSON.stringify(span);
  expect(Buffer.byteLength(stored)).toBeLessThan(20 * 1024);
  for (const mention of [QUESTION, ...MENTIONS[name]!]) expect(span!.input).toContain(mention);
  expect(span!.output).toContain(ANSWER);
  expect(stored).not.toContain('…[truncated');
  expect(span!.meta).not.toHaveProperty('opper.truncated');
  expect(stored).not.toMatch(LONG_BASE64);
}

const byName = (opper: LocalOpper, name: string) => [...opper.spans.values()].find((span) => span.name === name);
const ended = (opper: LocalOpper, count: number) =>
  opper.waitForSpans((spans) => [...spans.values()].filter((span) => span.end_time !== null).length >= count, 20_000);

/** Makes each span of `spans` with a real SDK through `processor`, ended, flushed. */
async function throughProcessor(
  opper: LocalOpper,
  options: { keepBinaryPayloads?: boolean },
  spans: Readonly<Record<string, Attributes>>,
): Promise<void> {
  const processor = new OpperSpanProcessor({ baseUrl: opper.url, apiKey: opper.apiKey, ...options });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('multimodal');
  for (const [name, attributes] of Object.entries(spans)) tracer.startSpan(name, { attributes }).end();
  await processor.forceFlush();
  await provider.shutdown();
}

async function throughBridge(
  bridge: { url: string; grpcUrl: string | undefined },
  kind: ClientKind,
  spans: Readonly<Record<string, Attributes>>,
): Promise<void> {
  const client = sdkWith([otlpExporter(kind, bridge, { timeoutMillis: 30_000 })]);
  const tracer = client.provider.getTracer('multimodal');
  for (const [name, attributes] of Object.entries(spans)) tracer.startSpan(name, { attributes }).end();
  await client.provider.forceFlush();
  await client.shutdown();
}

describe('multimodal spans through the processor and the bridge', () => {
  let opper: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  beforeAll(async () => {
    opper = await startLocalOpper();
    bridge = await startBridge(opper);
  });
  afterAll(async () => {
    await bridge.close();
    await opper.close();
  });

  it('OpperSpanProcessor: each span under 20 KB with the text, the link and every part mentioned, nothing cut', async () => {
    opper.reset();
    await throughProcessor(opper, {}, MULTIMODAL_SPANS);
    await ended(opper, NAMES.length);
    for (const name of NAMES) expectSmallAndWhole(byName(opper, name), name);
    expect(opper.violations).toEqual([]);
  });

  it.each<ClientKind>(['proto', 'json', 'grpc'])('the bridge (OTLP %s): each span under 20 KB, whole', async (kind) => {
    opper.reset();
    await throughBridge(bridge, kind, MULTIMODAL_SPANS);
    await ended(opper, NAMES.length);
    for (const name of NAMES) expectSmallAndWhole(byName(opper, name), name);
    expect(opper.violations).toEqual([]);
  });

  it('keepBinaryPayloads: true sends the bytes, through the processor and through the bridge', async () => {
    opper.reset();
    await throughProcessor(opper, { keepBinaryPayloads: true }, { 'kept by the processor': GENAI_CHAT });
    const keeping = await startBridge(opper, { keepBinaryPayloads: true, grpcPort: false });
    try {
      await throughBridge(keeping, 'proto', { 'kept by the bridge': GENAI_CHAT });
      await ended(opper, 2);
    } finally {
      await keeping.close();
    }
    for (const name of ['kept by the processor', 'kept by the bridge']) {
      const span = byName(opper, name)!;
      expect(span.input).toContain(PNG_BASE64.slice(0, 10_000));
      expect(span.meta?.['opper.truncated']).toBe(true);
    }
    await throughProcessor(opper, { keepBinaryPayloads: false }, { 'described by the processor': GENAI_CHAT });
    await ended(opper, 3);
    expectSmallAndWhole(byName(opper, 'described by the processor'), 'GenAI chat');
  });
});
