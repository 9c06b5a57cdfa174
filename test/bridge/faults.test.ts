// Test 2 of issue 12: a flaky Opper (20 % 5xx/429, 5 % of connections cut after storing) and an
// Opper that is down for a while. The OTLP clients' own retries, on the bridge's retryable
// answers, get every span in once: 0 lost, 0 duplicated.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { until } from '../testing/helpers.js';
import { deliveryProblems, endedIds, otlpExporter, sdkWith, startBridge, waitForAll, type ClientKind } from './helpers.js';
import { richTrace } from './workload.js';

// OpenTelemetry JS's gRPC exporter never retries (any error fails the export), so only the HTTP
// ones can show the clients' side of this; the gRPC answers are checked in overload.test.ts.
const RETRYING_CLIENTS: readonly ClientKind[] = ['proto', 'json'];

describe('the bridge in front of a failing Opper', () => {
  let opper: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  beforeAll(async () => {
    opper = await startLocalOpper({ seed: 12 });
    // A short deadline, so that the outage below is answered "send again" several times.
    bridge = await startBridge(opper, { responseDeadlineMillis: 1500, grpcPort: false });
  });
  beforeEach(() => opper.reset());
  afterAll(async () => {
    await bridge.close();
    await opper.close();
  });

  async function load(kind: ClientKind, traces: number, during?: () => Promise<void>): Promise<string[]> {
    const client = sdkWith([otlpExporter(kind, bridge, { timeoutMillis: 30_000 })], {
      batch: { maxExportBatchSize: 25, maxQueueSize: 10_000 },
    });
    const tracer = client.provider.getTracer(`faults-${kind}`);
    for (let n = 0; n < traces; n++) richTrace(tracer, n);
    await during?.();
    await client.provider.forceFlush();
    const ids = endedIds(client.recorded);
    await client.shutdown();
    return ids;
  }

  it.each(RETRYING_CLIENTS)('loses and duplicates nothing while Opper fails a quarter of the requests (%s)', async (kind) => {
    opper.inject({ status: 503, probability: 0.1 });
    opper.inject({ status: 429, retryAfter: 0, probability: 0.1 });
    opper.inject({ drop: 'after', probability: 0.05 });
    const ids = await load(kind, 20);
    await waitForAll(opper, ids);
    expect(deliveryProblems(opper, ids)).toEqual({ missing: [], duplicated: [] });
    expect(opper.requests.filter((request) => request.fault !== undefined).length).toBeGreaterThan(20);
    expect(opper.violations).toEqual([]);
  });

  it('gets every span in once after Opper was down for 4 s (json)', async () => {
    const kind = 'json';
    const before = bridge.getStats().spansRetryable;
    // Down for about 4 s, ended by the test once the bridge has answered "send again" at least
    // once: a window timed from here could close before a loaded machine's first request reached it.
    const startedAt = Date.now();
    opper.outage(10 * 60_000);
    const ids = await load(kind, 10, async () => {
      await until(() => bridge.getStats().spansRetryable > before, 'an answer "send again"', 30_000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 4000 - Date.now())));
      opper.clearFaults();
    });
    await waitForAll(opper, ids);
    expect(deliveryProblems(opper, ids)).toEqual({ missing: [], duplicated: [] });
    // The bridge answered "send again" during the outage, and the client did.
    expect(bridge.getStats().spansRetryable).toBeGreaterThan(before);
    expect(opper.requests.some((request) => request.fault === 'outage:503')).toBe(true);
  });
});
