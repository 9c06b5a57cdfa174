import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanLimits,
} from '@opentelemetry/sdk-trace-base';
import { OpperSpanExporter, type OpperExporterOptions } from '../../src/index.js';
import { startLocalOpper, type LocalOpper, type LocalOpperOptions } from '../../src/testing/index.js';

export interface Harness {
  opper: LocalOpper;
  exporter: OpperSpanExporter;
  provider: BasicTracerProvider;
  tracer: Tracer;
  /** Every span the SDK ended, as the exporter was handed it. */
  ended(): ReadableSpan[];
  /** The processor's forceFlush does not wait for an export its timer already started; this does. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A real OTel SDK with a BatchSpanProcessor exporting to a fresh local Opper over loopback. */
export async function startHarness(
  options: {
    exporter?: OpperExporterOptions;
    server?: LocalOpperOptions;
    /** false: no BatchSpanProcessor, the test calls export() itself. */
    batch?: { maxExportBatchSize?: number; maxQueueSize?: number; scheduledDelayMillis?: number } | false;
    spanLimits?: SpanLimits;
  } = {},
): Promise<Harness> {
  const opper = await startLocalOpper(options.server);
  const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey, ...options.exporter });
  const recorded = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'e2e' }),
    spanLimits: options.spanLimits,
    spanProcessors: [
      new SimpleSpanProcessor(recorded),
      ...(options.batch === false
        ? []
        : [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10, exportTimeoutMillis: 30_000, ...options.batch })]),
    ],
  });
  return {
    opper,
    exporter,
    provider,
    tracer: provider.getTracer('e2e-tracer', '1.2.3'),
    ended: () => recorded.getFinishedSpans(),
    flush: async () => {
      await provider.forceFlush();
      await exporter.forceFlush();
    },
    close: async () => {
      await provider.shutdown();
      await exporter.shutdown();
      await opper.close();
    },
  };
}

/** Starts a span as a child of `parent` without needing a context manager. */
export function childOf(tracer: Tracer, name: string, parent: Span): Span {
  return tracer.startSpan(name, {}, trace.setSpan(context.active(), parent));
}

/** A trace id as Opper shows it: the 32 hex digits as a UUID (written independently of src/). */
export function uuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`;
}

/** The Opper span id: the span id, then the trace id's last 16 hex digits. */
export function opperId(span: ReadableSpan): string {
  const { traceId, spanId } = span.spanContext();
  return uuid(spanId + traceId.slice(16));
}

/** HrTime as ISO-8601 with microseconds, computed independently of src/. */
export function micros([seconds, nanos]: [number, number]): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0').slice(0, 6)}Z`;
}
