// Rows 8 of the bench (issue 13): what exporting costs the app's own thread, per span, for
// OpperSpanExporter inline and in its worker, against OpenTelemetry JS's OTLP/HTTP exporter.
import { median } from './options.mjs';

export const MAIN_THREAD_CLIENTS = ['none', 'inline', 'worker', 'otlp-http'];
const LABELS = {
  none: 'no exporter (the app alone: processor and load only)',
  inline: "OpperSpanExporter, transport 'inline'",
  worker: "OpperSpanExporter, transport 'worker'",
  'otlp-http': '@opentelemetry/exporter-trace-otlp-http (JSON) to a sink',
};

/** The figures of one client, medians over rounds. */
function summarise(runs) {
  const m = (pick) => median(runs.map(pick));
  return {
    mainUs: m((r) => (r.throughput.mainCpuMs * 1000) / r.throughput.units),
    eluMs: m((r) => r.throughput.eluActiveMs / r.throughput.units),
    processUs: m((r) => (r.throughput.processCpuMs * 1000) / r.throughput.units),
    rate: m((r) => r.throughput.units / r.throughput.seconds),
    rssPeak: m((r) => r.throughput.rssPeak),
    failed: m((r) => r.throughput.failed),
    delayP99: m((r) => r.underLoad.delayP99Ms),
    requestP99: m((r) => r.underLoad.requests.p99),
    loadMainPct: m((r) => (r.underLoad.mainCpuMs / (r.underLoad.seconds * 1000)) * 100),
    loadElu: m((r) => r.underLoad.elu * 100),
    loadProcessPct: m((r) => (r.underLoad.processCpuMs / (r.underLoad.seconds * 1000)) * 100),
    rss: m((r) => r.underLoad.rss),
  };
}

/** The table's lines, and the ratios of the worker (and inline) to OTLP/HTTP. */
export function mainThreadTable(raw, spec) {
  const s = Object.fromEntries(MAIN_THREAD_CLIENTS.map((client) => [client, summarise(raw[client])]));
  const us = (x) => `${x.toFixed(1)} µs`;
  const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const header = [
    '#',
    'client',
    'main-thread CPU / span',
    'event loop busy / span',
    'process CPU / span',
    'throughput',
    'peak RSS',
    `p99 loop delay`,
    'p99 request',
    'main CPU',
    'loop busy',
    'process CPU',
    'RSS',
  ];
  const rows = MAIN_THREAD_CLIENTS.map((client, i) => {
    const f = s[client];
    const none = client === 'none';
    return [
      `8${'abcd'[i]}`,
      LABELS[client],
      none ? '' : us(f.mainUs),
      none ? '' : `${f.eluMs.toFixed(3)} ms`,
      none ? '' : us(f.processUs),
      none ? '' : `${Math.round(f.rate).toLocaleString('en-US')} spans/s`,
      mb(f.rssPeak),
      `${f.delayP99.toFixed(1)} ms`,
      `${f.requestP99.toFixed(1)} ms`,
      `${f.loadMainPct.toFixed(0)} %`,
      `${f.loadElu.toFixed(0)} %`,
      `${f.loadProcessPct.toFixed(0)} %`,
      mb(f.rss),
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const o = s['otlp-http'];
  const ratio = (client) =>
    `${client}: ${(s[client].mainUs / o.mainUs).toFixed(2)}× OTLP/HTTP's main-thread CPU per span, ${(s[client].eluMs / o.eluMs).toFixed(2)}× its event-loop time, ` +
    `${(s[client].processUs / o.processUs).toFixed(1)}× its process CPU; RSS ${mb(s[client].rss - s.none.rss)} over the app alone under load`;
  return [
    `Main thread (rows 8; ${spec.n} ${spec.kind} spans through a BatchSpanProcessor, batch 512, then ${spec.loadSeconds} s of an app serving ` +
      `${spec.requestRate} GET/s from another process while it ends ${spec.rate} spans/s through a default BatchSpanProcessor; medians of ${raw.none.length} round(s)).`,
    'Left: the throughput window. Right (from p99 loop delay): the app under load, CPU in % of one core. "main": the main thread only',
    '(/proc/self/task/<pid>/schedstat); "process": every thread of the app (the worker included); "loop busy": performance.eventLoopUtilization().',
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    ratio('worker'),
    ratio('inline'),
    `worker against inline: ${(s.inline.mainUs / s.worker.mainUs).toFixed(1)}× less main-thread CPU, ${(s.inline.eluMs / s.worker.eluMs).toFixed(1)}× less event-loop time per span; ` +
      `the worker's RSS: ${mb(s.worker.rss - s.inline.rss)} over inline under load`,
  ];
}
