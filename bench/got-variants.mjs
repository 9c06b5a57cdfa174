#!/usr/bin/env node
// Prices got's per-request work: the got ceiling of run.mjs in variants, interleaved, medians.
//   node bench/got-variants.mjs [--spans N] [--rounds N] [--concurrency N]
import { describeMachine, machine } from './lib/machine.mjs';
import { median, readOptions } from './lib/options.mjs';
import { runApp, startReceiver } from './lib/procs.mjs';

const opts = readOptions();
const variants = ['default', 'lean-request', 'no-timeout', 'no-decompress', 'lean-request+no-timeout+no-decompress'];
const receiver = await startReceiver(opts.receiver);
const runs = Object.fromEntries(variants.map((v) => [v, []]));
runs['node:http'] = [];
try {
  for (let round = 0; round < opts.rounds; round++) {
    for (const variant of [...variants, 'node:http']) {
      await receiver.call('reset');
      const phase = variant === 'node:http' ? 'http' : 'got';
      runs[variant].push(
        await runApp({ phase, variant, n: opts.spans, warmup: opts.warmup, concurrency: opts.concurrency, kind: opts.workload }, receiver),
      );
    }
  }
} finally {
  await receiver.close();
}
console.log(
  `# got ${opts.spans} ${opts.workload} create+PATCH pairs, concurrency ${opts.concurrency}, ${opts.rounds} round(s), medians — ${describeMachine(machine())}\n`,
);
console.log("| client | pairs/s | app CPU / pair | vs default got | other processes' CPU |");
console.log('|---|---|---|---|---|');
const base = median(runs.default.map((r) => r.appCpuMs / r.units));
for (const [variant, list] of Object.entries(runs)) {
  const rate = median(list.map((r) => r.units / r.seconds));
  const cpu = median(list.map((r) => r.appCpuMs / r.units));
  const other = median(list.map((r) => ((r.otherCpuMs ?? 0) / (r.seconds * 1000)) * 100));
  console.log(
    `| ${variant === 'node:http' ? 'node:http' : `got, ${variant}`} | ${Math.round(rate)} | ${cpu.toFixed(3)} ms | ${(cpu / base).toFixed(2)}× CPU | ${Math.round(other)} % |`,
  );
}
