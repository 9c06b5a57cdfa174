// Test 4 of issue 12: a flood beyond the bridge's bound on work in flight. The excess is answered at
// once (HTTP 429 with Retry-After, gRPC RESOURCE_EXHAUSTED with RetryInfo), never buffered; the
// clients back off and send again; what the bridge holds stays within the bound; everything arrives.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import {
  deliveryProblems,
  endedIds,
  otlpExporter,
  rawTraceClient,
  RPC,
  sdkSpans,
  sdkWith,
  startBridge,
  waitForAll,
  type ClientKind,
} from './helpers.js';
import { richTrace } from './workload.js';

const MAX_PENDING_SPANS = 30;
const BATCH = 15;

describe('the bridge past its bound', () => {
  let opper: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  beforeAll(async () => {
    opper = await startLocalOpper();
    // Every Opper request takes a while, so that work piles up at the bridge.
    opper.inject({ delayMs: 40 });
    bridge = await startBridge(opper, { maxPendingSpans: MAX_PENDING_SPANS, maxPendingBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await bridge.close();
    await opper.close();
  });

  it('refuses the excess with 429, and the clients back off until everything has arrived', async () => {
    const kinds: ClientKind[] = ['proto', 'json', 'proto'];
    const clients = kinds.map((kind) =>
      sdkWith([otlpExporter(kind, bridge, { timeoutMillis: 30_000 })], {
        batch: { maxExportBatchSize: BATCH, maxQueueSize: 10_000, scheduledDelayMillis: 5 },
      }),
    );
    clients.forEach((client, i) => {
      const tracer = client.provider.getTracer(`flood-${i}`);
      for (let n = 0; n < 9; n++) richTrace(tracer, n);
    });
    await Promise.all(clients.map((client) => client.provider.forceFlush()));
    const ids = clients.flatMap((client) => endedIds(client.recorded));
    await Promise.all(clients.map((client) => client.shutdown()));
    await waitForAll(opper, ids);

    expect(ids).toHaveLength(162);
    expect(deliveryProblems(opper, ids)).toEqual({ missing: [], duplicated: [] });
    const stats = bridge.getStats();
    expect(stats.requestsBusy).toBeGreaterThan(0);
    expect(stats.peakPendingSpans).toBeLessThanOrEqual(MAX_PENDING_SPANS);
    expect(stats.peakPendingBytes).toBeLessThanOrEqual(1024 * 1024);
  });

  it('answers gRPC past the bound with RESOURCE_EXHAUSTED and a RetryInfo', async () => {
    const body = ProtobufTraceSerializer.serializeRequest(await sdkSpans(6))!;
    const grpcClient = rawTraceClient(bridge.grpcUrl!);
    const results = await Promise.all(Array.from({ length: 4 }, () => grpcClient.export(body)));
    grpcClient.close();
    const refused = results.filter((error): error is ServiceError => error !== undefined);
    expect(results.filter((error) => error === undefined).length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error.code).toBe(8);
      const status = RPC.lookupType('Status').decode(error.metadata.get('grpc-status-details-bin')[0] as Buffer) as unknown as {
        details: Array<{ typeUrl: string; value: Uint8Array }>;
      };
      expect(status.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
      const info = RPC.lookupType('RetryInfo').toObject(RPC.lookupType('RetryInfo').decode(status.details[0]!.value), { longs: Number });
      expect(info).toEqual({ retryDelay: { seconds: 1 } });
    }
  });
});
