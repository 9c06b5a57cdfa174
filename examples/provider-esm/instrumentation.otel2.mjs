// Tracing for an ES-module app with a tracer provider of your own, OpenTelemetry JS 2.x
// (@opentelemetry/sdk-trace-node, sdk-trace-base; Node >= 20.19).
//   OPPER_API_KEY=... node --import ./instrumentation.otel2.mjs app.mjs
import { register } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpperSpanExporter } from 'opentelemetry-exporter-opper';

// The loader hook lets instrumentations patch the modules an ES-module app imports.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'example-provider-esm' }),
  spanProcessors: [new BatchSpanProcessor(new OpperSpanExporter())], // reads OPPER_API_KEY
});
provider.register(); // the global tracer provider, context manager and W3C propagator
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });

// A signal listener replaces Node's default exit: flush the last spans, then exit.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    provider
      .shutdown()
      .catch((error) => console.error('tracing:', error.message)) // never fail the exit
      .finally(() => process.exit(0));
  });
}
