// spanFilter typed on the SDK's own ReadableSpan: it must type-check (`npm run typecheck` covers
// test/) and decide, through a real SDK over real HTTP to the local Opper.
import { afterEach, describe, expect, it } from '@jest/globals';
import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OpperSpanProcessor } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

let opper: LocalOpper | undefined;
let provider: BasicTracerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  await opper?.close();
});

describe('spanFilter', () => {
  it("takes a function typed on the SDK's own ReadableSpan, and it decides", async () => {
    opper = await startLocalOpper();
    const keep = (span: ReadableSpan) => span.name.startsWith('keep') && span.kind === SpanKind.INTERNAL;
    const processor = new OpperSpanProcessor({ baseUrl: opper.url, apiKey: opper.apiKey, spanFilter: keep, live: false });
    provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('app');
    tracer.startSpan('keep me').end();
    tracer.startSpan('drop me').end();
    await processor.forceFlush();
    expect([...opper.spans.values()].map((s) => s.name)).toEqual(['keep me']);
  });
});
