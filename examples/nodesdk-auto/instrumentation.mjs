// Tracing for an ES-module app with the Node SDK and auto-instrumentation, exporting to Opper.
// The same file works with OpenTelemetry JS 2.x (Node >= 20.19) and 3.x (Node >= 22.15).
//   OPPER_API_KEY=... node --import ./instrumentation.mjs app.mjs
import { register } from 'node:module';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OpperSpanExporter } from 'opentelemetry-exporter-opper';

// The loader hook lets instrumentations patch the modules an ES-module app imports.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const sdk = new NodeSDK({
  serviceName: 'example-nodesdk-auto',
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
