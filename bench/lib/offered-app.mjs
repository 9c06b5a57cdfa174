// An app ending `rate` HTTP server spans per second for `seconds` through one door, then shutting
// its tracer provider down, in its own process (forked by offered-load.mjs; spec in argv[2]).
// Sends back what it ended, its CPU over the whole run (process.cpuUsage: every thread, the
// exporter's worker included), how shutdown() ended and the process warnings it saw.
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { endSpan, makeTracer } from './workload.mjs';

const spec = JSON.parse(process.argv[2]);
const warnings = [];
process.on('warning', (warning) => warnings.push(warning.code ?? warning.name));

async function door() {
  const opper = { baseUrl: spec.url, apiKey: spec.apiKey, ...spec.options };
  switch (spec.door) {
    case 'exporter': {
      const { OpperSpanExporter } = await import('opentelemetry-exporter-opper');
      const exporter = new OpperSpanExporter(opper);
      return { processor: new BatchSpanProcessor(exporter), stats: () => exporter.getStats() };
    }
    case 'processor': {
      const { OpperSpanProcessor } = await import('opentelemetry-exporter-opper');
      const processor = new OpperSpanProcessor({ ...opper, spanFilter: 'all' });
      return { processor, stats: () => processor.getStats() };
    }
    case 'bridge': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
      return { processor: new BatchSpanProcessor(new OTLPTraceExporter({ url: `${spec.bridgeUrl}/v1/traces` })) };
    }
    case 'otlp': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      return { processor: new BatchSpanProcessor(new OTLPTraceExporter({ url: `${spec.otlpUrl}/v1/traces` })) };
    }
  }
  throw new Error(`unknown door ${spec.door}`);
}

const { processor, stats } = await door();
const { tracer, provider } = makeTracer([processor]);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let ended = 0;
await new Promise((resolve) => {
  const total = spec.rate * spec.seconds;
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * spec.rate));
    for (; ended < due; ended++) endSpan(tracer, 'http', ended);
    if (ended >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 5);
});
const offeredMs = performance.now() - t0;
let shutdown = 'resolved';
await provider.shutdown().catch((error) => (shutdown = `rejected: ${String(error?.message ?? error).slice(0, 160)}`));
const cpu = process.cpuUsage(cpu0);
process.send(
  {
    type: 'result',
    result: {
      ended,
      offeredMs,
      totalMs: performance.now() - t0,
      cpuMs: (cpu.user + cpu.system) / 1000,
      shutdown,
      warnings,
      stats: stats?.(),
    },
  },
  () => process.exit(0),
);
