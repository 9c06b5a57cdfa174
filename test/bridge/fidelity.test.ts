// Test 1 of issue 12: OpenTelemetry JS's own OTLP exporters through a BatchSpanProcessor, into the
// bridge, into the local Opper; the same SDK also feeds the in-process exporter into a second local
// Opper. Every span arrives once, and the two servers hold the same spans, field for field.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OpperSpanExporter } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { CLIENT_KINDS, deliveryProblems, endedIds, otlpExporter, sdkWith, sortedSpans, startBridge, waitForAll } from './helpers.js';
import { richTrace } from './workload.js';

describe('the bridge, driven by OpenTelemetry JS OTLP exporters', () => {
  let viaBridge: LocalOpper;
  let inProcess: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  beforeAll(async () => {
    viaBridge = await startLocalOpper();
    inProcess = await startLocalOpper();
    // 'counts what it delivered' expects each span delivered once, so no request may be sent
    // twice. The bridge and both local Oppers run on this test's event loop: on a loaded machine
    // an answer can take longer than a 10 s client timeout or the 5 s response deadline, and the
    // client's re-send is (rightly) delivered and counted again. Neither time is what is asserted
    // here, so both leave room for a busy machine.
    bridge = await startBridge(viaBridge, { token: 'inbound-secret', responseDeadlineMillis: 30_000 });
  });
  afterAll(async () => {
    await bridge.close();
    await Promise.all([viaBridge.close(), inProcess.close()]);
  });

  it.each(CLIENT_KINDS)('stores every span once, equal to what the in-process exporter stores (%s)', async (kind) => {
    viaBridge.reset();
    inProcess.reset();
    const exporter = new OpperSpanExporter({ baseUrl: inProcess.url, apiKey: inProcess.apiKey });
    const client = sdkWith([otlpExporter(kind, bridge, { token: 'inbound-secret', timeoutMillis: 60_000 }), exporter], {
      spanLimits: { attributeCountLimit: 8 },
    });
    const tracer = client.provider.getTracer(`fidelity-${kind}`, '1.2.3');
    for (let n = 0; n < 4; n++) richTrace(tracer, n);
    await client.provider.forceFlush();
    const ids = endedIds(client.recorded);
    await client.shutdown();
    await Promise.all([waitForAll(viaBridge, ids), waitForAll(inProcess, ids)]);

    expect(ids).toHaveLength(24);
    expect(deliveryProblems(viaBridge, ids)).toEqual({ missing: [], duplicated: [] });
    expect(viaBridge.violations).toEqual([]);
    expect(sortedSpans(viaBridge)).toEqual(sortedSpans(inProcess));
    // The LLM spans read as LLM spans in both dialects.
    const llm = sortedSpans(viaBridge).filter((span) => span.type === 'llm');
    expect(llm.map((span) => span.input)).toEqual(expect.arrayContaining(['find 0', expect.stringContaining('question 0')]));
  });

  it('counts what it delivered', () => {
    const stats = bridge.getStats();
    expect(stats.spansDelivered).toBe(72);
    expect(stats.spansRejected).toBe(0);
    expect(stats.refused).toEqual({});
  });
});
