// Tracing through OpperSpanProcessor for a CommonJS app with a tracer provider of your own,
// OpenTelemetry JS 2.x (@opentelemetry/sdk-trace-node; Node >= 20.19).
//   OPPER_API_KEY=... node --require ./instrumentation.otel2.cjs app.cjs
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
// An ES module, loaded with require() (Node >= 20.19).
const { OpperSpanProcessor } = require('opentelemetry-exporter-opper');

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'example-processor-commonjs' }),
  // spanFilter 'all': this plain HTTP service has no LLM spans for the default ('ai') to keep.
  spanProcessors: [new OpperSpanProcessor({ spanFilter: 'all' })], // reads OPPER_API_KEY
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
