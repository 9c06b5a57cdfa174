// Command-line flags and environment variables shared by the bench scripts.
import { parseArgs } from 'node:util';

/**
 * Flags (each also readable from the environment variable in brackets):
 *   --quick                 small sizes and a 10 s outage: the whole run in under a minute [BENCH_QUICK=1]
 *   --outage-seconds N      length of the outage in the RSS measurement (full: 60)      [BENCH_OUTAGE_SECONDS]
 *   --concurrency N         exporter concurrency, and that of the got/node:http clients (32, the default) [BENCH_CONCURRENCY]
 *   --spans N               spans per throughput measurement (full 10000, quick 2000)   [BENCH_SPANS]
 *   --rounds N              throughput rounds, interleaved; medians reported (full 3, quick 1) [BENCH_ROUNDS]
 *   --receiver local|lean   startLocalOpper (default) or a bare node:http receiver     [BENCH_RECEIVER]
 *   --workload http|llm     the spans of the throughput runs (default http)            [BENCH_WORKLOAD]
 *   --json FILE             also write every raw figure to FILE
 *   --only mainthread       run only the main-thread rows (7): inline, worker, OTLP/HTTP  [BENCH_ONLY]
 *   --levels 4,8,...        (sweep.mjs) the concurrency levels
 *   --latency-ms 0,50       (sweep.mjs) receiver latency per request, one sweep per value [BENCH_LATENCY_MS]
 *   --target a,b            (profile.mjs) the phases to profile: exporter, got, http, opperai
 */
export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      'outage-seconds': { type: 'string' },
      concurrency: { type: 'string' },
      spans: { type: 'string' },
      rounds: { type: 'string' },
      receiver: { type: 'string' },
      workload: { type: 'string' },
      json: { type: 'string' },
      only: { type: 'string' },
      levels: { type: 'string' },
      'latency-ms': { type: 'string' },
      target: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? ['1', 'true'].includes(env.BENCH_QUICK ?? '');
  const number = (name, envName, fallback) => {
    const text = values[name] ?? env[envName];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`--${name} must be a positive number, got ${text}`);
    return value;
  };
  const receiver = values.receiver ?? env.BENCH_RECEIVER ?? 'local';
  if (!['local', 'lean'].includes(receiver)) throw new RangeError(`--receiver must be local or lean, got ${receiver}`);
  const workload = values.workload ?? env.BENCH_WORKLOAD ?? 'http';
  if (!['http', 'llm'].includes(workload)) throw new RangeError(`--workload must be http or llm, got ${workload}`);
  return {
    quick,
    receiver,
    workload,
    json: values.json,
    only: values.only ?? env.BENCH_ONLY,
    levels: values.levels,
    latencies: (values['latency-ms'] ?? env.BENCH_LATENCY_MS ?? '0').split(',').map(Number),
    target: values.target,
    concurrency: Math.round(number('concurrency', 'BENCH_CONCURRENCY', 32)),
    spans: Math.round(number('spans', 'BENCH_SPANS', quick ? 2000 : 10000)),
    warmup: quick ? 500 : 1000,
    rounds: Math.round(number('rounds', 'BENCH_ROUNDS', quick ? 1 : 3)),
    baselineSpans: quick ? 500 : 2000,
    // Rows 7: spans through the processor at once, then an app under load for loadSeconds.
    mainThread: { n: quick ? 3000 : 10000, loadSeconds: quick ? 5 : 10, rate: 1000, requestRate: 200 },
    processorSpans: quick ? 2000 : 10000,
    processorOpen: 100,
    appRequests: quick ? 200 : 1000,
    translate: { n: quick ? 500 : 2000, rounds: 7 },
    outage: {
      rate: 1000,
      healthySeconds: quick ? 3 : 10,
      outageSeconds: number('outage-seconds', 'BENCH_OUTAGE_SECONDS', quick ? 10 : 60),
      recoverSeconds: quick ? 6 : 20,
    },
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
