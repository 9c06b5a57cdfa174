// Tracing for an ES-module app with a tracer provider of your own, OpenTelemetry JS 3.x
// (@opentelemetry/sdk-trace; Node >= 22.15). 3.x has no NodeTracerProvider and no register():
// set the context manager and propagator yourself, and BatchSpanProcessor takes `{ exporter }`.
//   OPPER_API_KEY=... node --import ./instrumentation.otel3.mjs app.mjs
import { register } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OpperSpanExporter } from 'opentelemetry-exporter-opper';

// The loader hook lets instrumentations patch the modules an ES-module app imports.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'example-provider-esm' }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OpperSpanExporter() })], // reads OPPER_API_KEY
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
trace.setGlobalTracerProvider(provider);
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
