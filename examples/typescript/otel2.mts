// TypeScript with OpenTelemetry JS 2.x: OpperSpanExporter is a SpanExporter for sdk-trace-base's
// span processors and the Node SDK. `tsc --noEmit -p .` checks it (see tsconfig.json).
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpperSpanExporter, type OpperExporterOptions, type OpperExporterStats } from 'opentelemetry-exporter-opper';

const options: OpperExporterOptions = { apiKey: process.env.OPPER_API_KEY, timeoutMillis: 5_000 };
const exporter: SpanExporter = new OpperSpanExporter(options);

export const sdk = new NodeSDK({
  serviceName: 'my-service',
  traceExporter: new OpperSpanExporter(),
  instrumentations: [getNodeAutoInstrumentations()],
});

export const provider = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new OpperSpanExporter()), new SimpleSpanProcessor(exporter)],
});

export const stats: OpperExporterStats = new OpperSpanExporter().getStats();
