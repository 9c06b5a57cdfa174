// TypeScript with OpenTelemetry JS 3.x: OpperSpanExporter is a SpanExporter for sdk-trace's span
// processors and the Node SDK. `tsc --noEmit -p .` checks it (see tsconfig.json).
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { OpperSpanExporter, type OpperExporterOptions, type OpperExporterStats } from 'opentelemetry-exporter-opper';

const options: OpperExporterOptions = { apiKey: process.env.OPPER_API_KEY, timeoutMillis: 5_000 };
const exporter: SpanExporter = new OpperSpanExporter(options);

export const sdk = new NodeSDK({
  serviceName: 'my-service',
  traceExporter: new OpperSpanExporter(),
  instrumentations: [getNodeAutoInstrumentations()],
});

// 3.x span processors take an options object.
export const provider = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ exporter: new OpperSpanExporter() }), new SimpleSpanProcessor({ exporter })],
});

// The 2.x form does not compile against 3.x (and would export nothing at run time).
// @ts-expect-error: 3.x BatchSpanProcessor takes { exporter }, not the exporter itself
export const wrong = new BatchSpanProcessor(new OpperSpanExporter());

export const stats: OpperExporterStats = new OpperSpanExporter().getStats();
