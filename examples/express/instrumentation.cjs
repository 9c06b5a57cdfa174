// Tracing for a CommonJS app with the Node SDK and auto-instrumentation, exporting to Opper.
// The same file works with OpenTelemetry JS 2.x (Node >= 20.19) and 3.x (Node >= 22.15).
//   OPPER_API_KEY=... node --require ./instrumentation.cjs app.cjs
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
const { NodeSDK } = require('@opentelemetry/sdk-node');
// An ES module, loaded with require() (Node >= 20.19).
const { OpperSpanExporter } = require('opentelemetry-exporter-opper');

const sdk = new NodeSDK({
  serviceName: 'example-express',
  traceExporter: new OpperSpanExporter(), // reads OPPER_API_KEY (and OPPER_BASE_URL)
  instrumentations: [getNodeAutoInstrumentations()],
});
sdk.start();

// A signal listener replaces Node's default exit: flush the last spans, then exit.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    sdk
      .shutdown()
      .catch((error) => console.error('tracing:', error.message)) // never fail the exit
      .finally(() => process.exit(0));
  });
}
