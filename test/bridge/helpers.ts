import { credentials, makeGenericClientConstructor, Metadata, type Client as GrpcClient, type ServiceError } from '@grpc/grpc-js';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanLimits,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import { startOtlpBridge, type BridgeLogger, type OtlpBridge, type OtlpBridgeOptions } from '../../src/bridge/index.js';
import type { LocalOpper, StoredSpan } from '../../src/testing/index.js';
import { richTrace } from './workload.js';

export type ClientKind = 'proto' | 'json' | 'grpc';
export const CLIENT_KINDS: readonly ClientKind[] = ['proto', 'json', 'grpc'];

/** Log lines kept in memory, so that tests stay quiet and can read what the bridge said. */
export function memoryLogger(): BridgeLogger & { lines: Array<{ level: string; msg: string; [key: string]: unknown }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  return { lines, log: (level, msg, fields) => lines.push({ level, msg, ...fields }) };
}

/** A bridge on free ports in front of `opper`, logging to memory. */
export async function startBridge(
  opper: LocalOpper,
  options: OtlpBridgeOptions = {},
): Promise<OtlpBridge & { logs: ReturnType<typeof memoryLogger> }> {
  const logs = memoryLogger();
  const bridge = await startOtlpBridge({
    baseUrl: opper.url,
    apiKey: opper.apiKey,
    port: 0,
    grpcPort: 0,
    logger: logs,
    summaryIntervalMillis: 0,
    ...options,
  });
  return Object.assign(bridge, { logs });
}

/** One of OpenTelemetry JS's own OTLP exporters, pointed at the bridge (protobuf with gzip, JSON, or gRPC with gzip). */
export function otlpExporter(
  kind: ClientKind,
  bridge: { url: string; grpcUrl: string | undefined },
  options: { token?: string; timeoutMillis?: number; url?: string } = {},
): SpanExporter {
  const timeoutMillis = options.timeoutMillis ?? 10_000;
  const headers: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  const url = options.url ?? (kind === 'grpc' ? bridge.grpcUrl! : `${bridge.url}/v1/traces`);
  if (kind === 'proto') return new ProtoExporter({ url, headers, compression: 'gzip' as never, timeoutMillis });
  if (kind === 'json') return new JsonExporter({ url, headers, timeoutMillis });
  const metadata = new Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  return new GrpcExporter({ url, metadata, credentials: credentials.createInsecure(), compression: 'gzip' as never, timeoutMillis });
}

export interface Client {
  provider: BasicTracerProvider;
  /** Every span the SDK ended (cleared by shutdown: read it before). */
  recorded: InMemorySpanExporter;
  shutdown(): Promise<void>;
}

/** A real SDK whose BatchSpanProcessors hand every span to each of `exporters`. */
export function sdkWith(
  exporters: SpanExporter[],
  options: { batch?: ConstructorParameters<typeof BatchSpanProcessor>[1]; spanLimits?: SpanLimits } = {},
): Client {
  const recorded = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [
    new SimpleSpanProcessor(recorded),
    ...exporters.map(
      (exporter) => new BatchSpanProcessor(exporter, { scheduledDelayMillis: 20, exportTimeoutMillis: 30_000, ...options.batch }),
    ),
  ];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bridge-test', 'service.version': '1.0.0', 'host.cores': 2 }),
    spanLimits: options.spanLimits,
    spanProcessors: processors,
  });
  return { provider, recorded, shutdown: () => provider.shutdown() };
}

/** Opper ids of every span the SDK ended. */
export function endedIds(recorded: InMemorySpanExporter): string[] {
  return opperIds(recorded.getFinishedSpans());
}

/** The Opper id of each span. */
export function opperIds(spans: readonly ReadableSpan[]): string[] {
  return spans.map((span) => {
    const { traceId, spanId } = span.spanContext();
    const hex = spanId + traceId.slice(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  });
}

/** Waits until every id is stored and patched (end_time set). */
export function waitForAll(opper: LocalOpper, ids: readonly string[], timeoutMs = 20_000): Promise<void> {
  return opper.waitForSpans((spans) => ids.every((id) => spans.get(id)?.end_time != null), timeoutMs);
}

/** Ids stored more than once, and ids missing: both must be empty. */
export function deliveryProblems(opper: LocalOpper, ids: readonly string[]): { missing: string[]; duplicated: string[] } {
  return {
    missing: ids.filter((id) => opper.spans.get(id)?.end_time == null),
    duplicated: ids.filter((id) => opper.creates(id) > 1),
  };
}

/** The stored spans sorted by id, for comparing two servers field for field. */
export function sortedSpans(opper: LocalOpper): StoredSpan[] {
  return [...opper.spans.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The spans a real SDK ended for `traces` rich traces (6 spans each). */
export async function sdkSpans(traces: number, spanLimits?: SpanLimits): Promise<ReadableSpan[]> {
  const client = sdkWith([], { spanLimits });
  const tracer = client.provider.getTracer('bridge-test-spans', '4.5.6');
  for (let n = 0; n < traces; n++) richTrace(tracer, n);
  await client.provider.forceFlush();
  const spans = client.recorded.getFinishedSpans();
  await client.shutdown();
  return spans;
}

/** google.rpc.Status and RetryInfo, read independently of the bridge's own codec. */
export const RPC = protobuf.Root.fromJSON({
  nested: {
    Status: {
      fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } },
    },
    Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    RetryInfo: { fields: { retryDelay: { type: 'Duration', id: 1 } } },
    Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
  },
});

/** A bare grpc-js client of the OTLP trace service: raw request bytes in, the call's error (if any) out. */
export function rawTraceClient(grpcUrl: string): {
  export(body: Uint8Array, metadata?: Metadata): Promise<ServiceError | undefined>;
  close(): void;
} {
  const identity = (bytes: Buffer) => bytes;
  const Client = makeGenericClientConstructor(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'TraceService',
  );
  const client = new Client(grpcUrl.replace('http://', ''), credentials.createInsecure()) as unknown as GrpcClient & {
    Export(body: Buffer, metadata: Metadata, callback: (error: ServiceError | null) => void): void;
    close(): void;
  };
  return {
    export: (body, metadata = new Metadata()) =>
      new Promise((resolve) => client.Export(Buffer.from(body), metadata, (error) => resolve(error ?? undefined))),
    close: () => client.close(),
  };
}
