// Test 4 of issue 12: a flood beyond the bridge's bound on work in flight. The excess is answered at
// once (HTTP 429 with Retry-After, gRPC RESOURCE_EXHAUSTED with RetryInfo), never buffered; the
// clients back off and send again; what the bridge holds stays within the bound; everything arrives.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { credentials, makeGenericClientConstructor, Metadata, type ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { deliveryProblems, endedIds, otlpExporter, sdkWith, startBridge, waitForAll, type ClientKind } from './helpers.js';
import { richTrace } from './workload.js';

const MAX_PENDING_SPANS = 30;
const BATCH = 15;

const rpc = protobuf.Root.fromJSON({
  nested: {
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
    Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    RetryInfo: { fields: { retryDelay: { type: 'Duration', id: 1 } } },
    Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
  },
});

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
      sdkWith([otlpExporter(kind, bridge, { timeoutMillis: 30_000 })], { batch: { maxExportBatchSize: BATCH, maxQueueSize: 10_000, scheduledDelayMillis: 5 } }),
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
    const client = sdkWith([]);
    for (let n = 0; n < 6; n++) richTrace(client.provider.getTracer('grpc-flood'), 100 + n);
    await client.provider.forceFlush();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(client.recorded.getFinishedSpans())!);
    await client.shutdown();
    const identity = (b: Buffer) => b;
    const Client = makeGenericClientConstructor({
      Export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
    }, 'TraceService');
    const grpcClient = new Client(bridge.grpcUrl!.replace('http://', ''), credentials.createInsecure());
    const exportOnce = () =>
      new Promise<ServiceError | undefined>((resolve) => (grpcClient as unknown as { Export: Function }).Export(body, new Metadata(), (error: ServiceError | null) => resolve(error ?? undefined)));
    const results = await Promise.all(Array.from({ length: 4 }, exportOnce));
    grpcClient.close();
    const refused = results.filter((error): error is ServiceError => error !== undefined);
    expect(results.filter((error) => error === undefined).length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error.code).toBe(8);
      const status = rpc.lookupType('Status').decode(error.metadata.get('grpc-status-details-bin')[0] as Buffer) as unknown as { details: Array<{ typeUrl: string; value: Uint8Array }> };
      expect(status.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
      const info = rpc.lookupType('RetryInfo').toObject(rpc.lookupType('RetryInfo').decode(status.details[0]!.value), { longs: Number });
      expect(info).toEqual({ retryDelay: { seconds: 1 } });
    }
  });
});
