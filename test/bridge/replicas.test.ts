// Test 3 of issue 12: two bridge processes (the `opper-otlp-bridge` bin) behind a round-robin
// load balancer; one is SIGKILLed in the middle of the load. The client's retries land on the
// other, which needs no state from the first: 0 lost, 0 duplicated. And SIGTERM drains and exits 0.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { deliveryProblems, endedIds, otlpExporter, sdkWith, waitForAll } from './helpers.js';
import { spawnBridge, startBalancer } from './processes.js';
import { richTrace } from './workload.js';

describe('bridge processes', () => {
  let opper: LocalOpper;
  beforeAll(async () => {
    opper = await startLocalOpper();
  });
  afterAll(() => opper.close());

  it('lose and duplicate nothing when one of two replicas is SIGKILLed mid-load', async () => {
    // Slow enough that the kill finds requests in flight, some creates landed and their PATCHes not.
    opper.inject({ delayMs: 30 });
    const [a, b] = await Promise.all([spawnBridge(opper), spawnBridge(opper)]);
    const balancer = await startBalancer([a.url, b.url]);
    try {
      const client = sdkWith([otlpExporter('proto', { url: balancer.url, grpcUrl: undefined }, { timeoutMillis: 30_000 })], {
        batch: { maxExportBatchSize: 20, maxQueueSize: 10_000, scheduledDelayMillis: 10 },
      });
      const tracer = client.provider.getTracer('replicas');
      for (let n = 0; n < 20; n++) richTrace(tracer, n);
      await opper.waitForSpans((spans) => spans.size >= 20);
      a.child.kill('SIGKILL');
      for (let n = 20; n < 40; n++) richTrace(tracer, n);
      await client.provider.forceFlush();
      const ids = endedIds(client.recorded);
      await client.shutdown();
      await waitForAll(opper, ids);
      expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(ids).toHaveLength(240);
      expect(deliveryProblems(opper, ids)).toEqual({ missing: [], duplicated: [] });
      // The kill cut requests in flight: the client sent them again, and the survivor found their creates landed.
      expect(opper.requests.filter((request) => request.status === 409).length).toBeGreaterThan(0);
      expect(opper.violations).toEqual([]);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGTERM');
      await b.exited;
      await balancer.close();
      opper.clearFaults();
    }
  });

  it('drain on SIGTERM: what was taken in is answered and delivered, then the process exits 0', async () => {
    opper.reset();
    opper.inject({ delayMs: 200 });
    const bridge = await spawnBridge(opper, ['--response-deadline-ms', '4000']);
    const client = sdkWith([otlpExporter('json', { url: bridge.url, grpcUrl: undefined }, { timeoutMillis: 30_000 })], {
      batch: { scheduledDelayMillis: 10 },
    });
    const tracer = client.provider.getTracer('drain');
    richTrace(tracer, 1);
    await opper.waitForSpans((spans) => spans.size >= 1);
    bridge.child.kill('SIGTERM');
    const exit = await bridge.exited;
    await client.provider.forceFlush();
    const ids = endedIds(client.recorded);
    await client.shutdown();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(deliveryProblems(opper, ids)).toEqual({ missing: [], duplicated: [] });
    expect(bridge.lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['draining', 'stopped']));
    opper.clearFaults();
  });
});
