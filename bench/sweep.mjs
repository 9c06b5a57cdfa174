#!/usr/bin/env node
// Concurrency sweep, to choose the exporter's default by measurement: at each level, the exporter
// through a BatchSpanProcessor (batch 512) and the got ceiling at the same concurrency, interleaved
// over rounds, medians; optionally with the receiver delaying every request (--latency-ms), since
// over loopback both are CPU-bound and concurrency only matters once requests take time.
// Same receiver process for every figure.
//   node bench/sweep.mjs [--levels 4,8,16,32,64] [--latency-ms 0,50] [--spans N] [--rounds N] [--workload http|llm]
import { performance } from 'node:perf_hooks';
import { describeMachine, machine } from './lib/machine.mjs';
import { median, readOptions } from './lib/options.mjs';
import { runApp, startReceiver } from './lib/procs.mjs';

const opts = readOptions();
const levels = (opts.levels ?? '4,8,16,32,64').split(',').map(Number);
const started = performance.now();
const host = machine();
const receiver = await startReceiver(opts.receiver);
const runs = new Map();
const key = (latency, concurrency) => `${latency}/${concurrency}`;

/** With latency L, C requests in flight deliver at most C / 2L spans/s: size the run to ~8 s. */
function sizes(latency, concurrency) {
  if (latency === 0) return { n: opts.spans, warmup: opts.warmup };
  const n = Math.min(opts.spans, Math.max(512, Math.round((concurrency / ((2 * latency) / 1000)) * 8)));
  return { n, warmup: Math.min(opts.warmup, 4 * concurrency) };
}

try {
  for (let round = 1; round <= opts.rounds; round++) {
    for (const latency of opts.latencies) {
      for (const concurrency of levels) {
        for (const phase of ['exporter', 'got']) {
          process.stderr.write(`[sweep] round ${round}/${opts.rounds}: ${phase} at concurrency ${concurrency}, latency ${latency} ms\n`);
          await receiver.call('reset');
          await receiver.call('latency', { ms: latency });
          const result = await runApp({ phase, ...sizes(latency, concurrency), concurrency, kind: opts.workload }, receiver);
          const entry = runs.get(key(latency, concurrency)) ?? { exporter: [], got: [] };
          entry[phase].push(result);
          runs.set(key(latency, concurrency), entry);
        }
      }
    }
  }
} finally {
  await receiver.close();
}

const rate = (list) => median(list.map((r) => r.units / r.seconds));
const cpu = (list) => median(list.map((r) => r.appCpuMs / r.units));
const other = (list) => median(list.map((r) => ((r.otherCpuMs ?? 0) / (r.seconds * 1000)) * 100));
const failed = (list) => list.reduce((sum, r) => sum + r.failed, 0);
console.log(
  `\n# concurrency sweep: up to ${opts.spans} ${opts.workload} spans per run, ${opts.rounds} round(s), medians, receiver ${opts.receiver} in its own process — ${describeMachine(host)}\n`,
);
console.log(
  "| receiver latency | concurrency | exporter spans/s | exporter CPU / span | got ceiling pairs/s | got CPU / pair | exporter / ceiling | other processes' CPU |",
);
console.log('|---|---|---|---|---|---|---|---|');
for (const latency of opts.latencies) {
  for (const concurrency of levels) {
    const { exporter, got } = runs.get(key(latency, concurrency));
    const lost = failed(exporter);
    console.log(
      `| ${latency} ms | ${concurrency} | ${Math.round(rate(exporter))}${lost ? ` (${lost} failed)` : ''} | ${cpu(exporter).toFixed(3)} ms | ${Math.round(rate(got))} | ${cpu(got).toFixed(3)} ms | ${(rate(exporter) / rate(got)).toFixed(2)}× | ${Math.round(Math.max(other(exporter), other(got)))} % |`,
    );
  }
}
console.log(`\nrun time ${((performance.now() - started) / 1000).toFixed(0)} s`);
