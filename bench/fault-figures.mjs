#!/usr/bin/env node
// Figures for issue 10, items 1-3, 5 and 8: what each fault costs in spans and requests, and which
// warnings the user sees. Needs a build (npm run build). `--dist <dir>` loads the exporter from
// another build (e.g. one of an older commit) to compare; the local Opper always comes from ./dist.
// `--spans` and `--deadline-ms` size the burst (a busy machine needs a longer deadline).
// Usage: node bench/fault-figures.mjs [--dist /path/to/dist] [--only retry-after,tls,...]
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { parseArgs } from 'node:util';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const { values } = parseArgs({
  options: { dist: { type: 'string' }, only: { type: 'string' }, spans: { type: 'string' }, 'deadline-ms': { type: 'string' } },
});
const here = new URL('../dist/', import.meta.url);
const dist = values.dist ? new URL(`file://${values.dist.replace(/\/?$/, '/')}`) : here;
const { OpperSpanExporter } = await import(new URL('index.js', dist).href);
const { startLocalOpper } = await import(new URL('testing/index.js', here).href);

const warnings = [];
process.emitWarning = (message, options) => warnings.push(options?.code ?? String(message));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An SDK whose spans go to `exporter`, optionally through a BatchSpanProcessor (`batch`: true or its options). */
function sdk(exporter, batch) {
  const recorded = new InMemorySpanExporter();
  const processors = [new SimpleSpanProcessor(recorded)];
  const options = {
    scheduledDelayMillis: 200,
    maxQueueSize: 100_000,
    maxExportBatchSize: 512,
    exportTimeoutMillis: 30_000,
    ...(batch === true ? {} : batch),
  };
  if (batch) processors.push(new BatchSpanProcessor(exporter, options));
  const provider = new BasicTracerProvider({ spanProcessors: processors });
  return { provider, tracer: provider.getTracer('figures'), ended: () => recorded.getFinishedSpans() };
}
const exportOnce = (exporter, spans) => new Promise((resolve) => exporter.export(spans, resolve));
const idOf = (span) => {
  const hex = span.spanContext().spanId + span.spanContext().traceId.slice(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
function tally(name, opper, spans, exporter, extra = {}) {
  const ids = spans.map(idOf);
  const stored = ids.filter((id) => opper?.spans.has(id)).length;
  const duplicated = ids.filter((id) => (opper?.creates(id) ?? 0) > 1).length;
  const stats = exporter.getStats();
  const line = {
    scenario: name,
    sent: spans.length,
    stored,
    lost: spans.length - stored,
    duplicated,
    requests: stats.requests,
    ...extra,
    warnings: [...new Set(warnings)],
  };
  console.log(JSON.stringify(line));
  warnings.length = 0;
}

const scenarios = {
  // Item 1: a 5 s maintenance window answering 503 Retry-After: 3600, spans ending at 200/s for 15 s.
  async 'retry-after'() {
    const opper = await startLocalOpper();
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey });
    const { provider, tracer, ended } = sdk(exporter, true);
    opper.outage(5000, { retryAfter: 3600 });
    const started = Date.now();
    while (Date.now() - started < 15_000) {
      for (let i = 0; i < 20; i++) tracer.startSpan('op').end();
      await sleep(100);
    }
    await provider.forceFlush();
    await opper.waitForSpans((spans) => spans.size === ended().length, 10_000).catch(() => undefined);
    tally('retry-after 3600 during a 5 s outage', opper, ended(), exporter, { during: opper.requests.filter((r) => r.fault).length });
    await provider.shutdown().catch(() => undefined);
    await opper.close();
  },
  // Item 2: every write answered 200 with an HTML page.
  async 'html-200'() {
    const opper = await startLocalOpper();
    opper.inject({ status: 200, body: '<html>Sign in to the Wi-Fi</html>', headers: { 'content-type': 'text/html' } });
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey, exportTimeoutMillis: 5000 });
    const { tracer, ended } = sdk(exporter, false);
    for (let i = 0; i < 20; i++) tracer.startSpan('op').end();
    const result = await exportOnce(exporter, ended());
    tally('200 text/html on every write', opper, ended(), exporter, {
      result: result.code === 0 ? 'SUCCESS' : 'FAILED',
      spansExported: exporter.getStats().spansExported,
    });
    await exporter.shutdown();
    await opper.close();
  },
  // Item 3: an https server with a self-signed certificate.
  async tls() {
    const fixture = new URL('../test/fixtures/tls/', import.meta.url);
    const server = createHttpsServer({
      cert: readFileSync(new URL('test-only-self-signed.crt', fixture)),
      key: readFileSync(new URL('test-only-self-signed.key', fixture)),
    });
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const exporter = new OpperSpanExporter({ baseUrl: `https://127.0.0.1:${server.address().port}/v2`, apiKey: 'sk-figures' });
    const { tracer, ended } = sdk(exporter, false);
    for (let i = 0; i < 20; i++) tracer.startSpan('op').end();
    const started = Date.now();
    await exportOnce(exporter, ended());
    tally('self-signed certificate, one export of 20', undefined, ended(), exporter, { connections, exportMs: Date.now() - started });
    await exporter.shutdown();
    server.close();
  },
  // Item 3: a base URL without /v2, and one that redirects to https.
  async 'wrong-url'() {
    const opper = await startLocalOpper();
    for (const [name, baseUrl, fault] of [
      ['base URL without /v2', opper.url.replace(/\/v2$/, ''), undefined],
      ['308 to https', opper.url, { status: 308, body: '', headers: { location: `${opper.url.replace('http:', 'https:')}/spans` } }],
    ]) {
      opper.reset();
      if (fault) opper.inject(fault);
      const exporter = new OpperSpanExporter({ baseUrl, apiKey: opper.apiKey });
      const { tracer, ended } = sdk(exporter, false);
      for (let i = 0; i < 20; i++) tracer.startSpan('op').end();
      await exportOnce(exporter, ended());
      tally(name, opper, ended(), exporter);
      await exporter.shutdown();
    }
    await opper.close();
  },
  // Item 3: connection refused, then Opper comes up on that port.
  async refused() {
    const probe = createNetServer();
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    const exporter = new OpperSpanExporter({ baseUrl: `http://127.0.0.1:${port}/v2`, apiKey: 'sk-figures', exportTimeoutMillis: 3000 });
    const { tracer, ended } = sdk(exporter, false);
    for (let i = 0; i < 20; i++) tracer.startSpan('op').end();
    await exportOnce(exporter, ended());
    tally('connection refused, one export of 20 (3 s deadline)', undefined, ended(), exporter);
    await exporter.shutdown();
  },
  // Item 5: a burst queued, then provider.shutdown() starts every batch of 512 at once, past the
  // default maxPendingSpans (4096), while Opper is healthy.
  async burst() {
    const count = Number(values.spans ?? 8192);
    const deadline = Number(values['deadline-ms'] ?? 25_000);
    const opper = await startLocalOpper();
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey, exportTimeoutMillis: deadline });
    const { provider, tracer, ended } = sdk(exporter, { scheduledDelayMillis: 600_000, exportTimeoutMillis: deadline + 5000 });
    for (let i = 0; i < count; i++) tracer.startSpan('op').end();
    const spans = ended(); // the provider's shutdown clears this record
    let shutdown = 'resolved';
    await provider.shutdown().catch((error) => (shutdown = `rejected: ${error.message.slice(0, 100)}`));
    const stats = exporter.getStats();
    tally(`${count} spans, provider.shutdown() starts every batch at once`, opper, spans, exporter, {
      shutdown,
      dropped: stats.spansDropped,
    });
    await exporter.shutdown();
    await opper.close();
  },
  // Item 8: 50 spans whose PATCHes are answered 503 past the export deadline, then Opper recovers
  // and provider.shutdown() runs.
  async unended() {
    const opper = await startLocalOpper();
    const exporter = new OpperSpanExporter({ baseUrl: opper.url, apiKey: opper.apiKey, exportTimeoutMillis: 6000 });
    const { provider, tracer, ended } = sdk(exporter, true);
    opper.inject({ match: { method: 'PATCH' }, status: 503 });
    for (let i = 0; i < 50; i++) tracer.startSpan('op').end();
    const spans = ended();
    // The export has ended: its PATCHes failed (before) or are kept (after).
    const over = () => exporter.getStats().spansFailed + (exporter.getStats().patchesPending ?? 0) >= spans.length;
    while (!over()) await sleep(10);
    opper.clearFaults();
    await provider.shutdown().catch(() => undefined);
    const withEnd = spans.filter((span) => opper.spans.get(idOf(span))?.end_time).length;
    tally('PATCHes answered 503 past the deadline, then recovery', opper, spans, exporter, { withEnd, neverEnded: spans.length - withEnd });
    await opper.close();
  },
};

const only = values.only?.split(',');
for (const [name, run] of Object.entries(scenarios)) if (!only || only.includes(name)) await run();
