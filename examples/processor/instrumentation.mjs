// Tracing through OpperSpanProcessor for an ES-module app with the Node SDK: running spans show in
// Opper while they run, and ended spans wait in a queue that rides out an Opper outage.
//   OPPER_API_KEY=... node --import ./instrumentation.mjs app.mjs
import { register } from 'node:module';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OpperSpanProcessor } from 'opentelemetry-exporter-opper';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const sdk = new NodeSDK({
  serviceName: 'example-processor',
  // spanFilter 'all': this plain HTTP service has no LLM spans for the default ('ai') to keep.
  spanProcessors: [new OpperSpanProcessor({ spanFilter: 'all' })], // reads OPPER_API_KEY
  instrumentations: [getNodeAutoInstrumentations()],
  metricReaders: [],
  logRecordProcessors: [],
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
