import { credentials, Metadata } from '@grpc/grpc-js';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startOtlpBridge, type BridgeLogger, type OtlpBridge, type OtlpBridgeOptions } from '../../src/bridge/index.js';
import type { LocalOpper, StoredSpan } from '../../src/testing/index.js';

export type ClientKind = 'proto' | 'json' | 'grpc';
export const CLIENT_KINDS: readonly ClientKind[] = ['proto', 'json', 'grpc'];

/** Log lines kept in memory, so that tests stay quiet and can read what the bridge said. */
export function memoryLogger(): BridgeLogger & { lines: Array<{ level: string; msg: string; [key: string]: unknown }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  return { lines, log: (level, msg, fields) => lines.push({ level, msg, ...fields }) };
}

/** A bridge on free ports in front of `opper`, logging to memory. */
export async function startBridge(opper: LocalOpper, options: OtlpBridgeOptions = {}): Promise<OtlpBridge & { logs: ReturnType<typeof memoryLogger> }> {
  const logs = memoryLogger();
  const bridge = await startOtlpBridge({ baseUrl: opper.url, apiKey: opper.apiKey, port: 0, grpcPort: 0, logger: logs, summaryIntervalMillis: 0, ...options });
  return Object.assign(bridge, { logs });
}

/** One of OpenTelemetry JS's own OTLP exporters, pointed at the bridge (protobuf with gzip, JSON, or gRPC with gzip). */
export function otlpExporter(kind: ClientKind, bridge: { url: string; grpcUrl: string | undefined }, options: { token?: string; timeoutMillis?: number; url?: string } = {}): SpanExporter {
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
export function sdkWith(exporters: SpanExporter[], options: { batch?: ConstructorParameters<typeof BatchSpanProcessor>[1]; spanLimits?: SpanLimits } = {}): Client {
  const recorded = new InMemorySpanExporter();
  const processors: SpanProcessor[] = [
    new SimpleSpanProcessor(recorded),
    ...exporters.map((exporter) => new BatchSpanProcessor(exporter, { scheduledDelayMillis: 20, exportTimeoutMillis: 30_000, ...options.batch })),
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
  return recorded.getFinishedSpans().map((span) => {
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
