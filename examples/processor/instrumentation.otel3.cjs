// Tracing through OpperSpanProcessor for a CommonJS app with a tracer provider of your own,
// OpenTelemetry JS 3.x (@opentelemetry/sdk-trace; Node >= 22.15). 3.x has no NodeTracerProvider
// and no register(): set the context manager and propagator yourself.
//   OPPER_API_KEY=... node --require ./instrumentation.otel3.cjs app.cjs
const { context, propagation, trace } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = require('@opentelemetry/core');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { TracerProvider } = require('@opentelemetry/sdk-trace');
// An ES module, loaded with require().
const { OpperSpanProcessor } = require('opentelemetry-exporter-opper');

const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'example-processor-commonjs' }),
  // spanFilter 'all': this plain HTTP service has no LLM spans for the default ('ai') to keep.
  spanProcessors: [new OpperSpanProcessor({ spanFilter: 'all' })], // reads OPPER_API_KEY
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
