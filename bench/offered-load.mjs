// Offered load over a real network's latency (issue 20): an app ends `rate` HTTP server spans per
// second for `seconds`, then shuts down, through each door with default options; the local Opper
// (its own process) answers every request after `latency` ms. Beside them, in the same run,
// OpenTelemetry's OTLP/HTTP exporter to a sink with the same latency: the baseline of CPU per span.
//   node bench/offered-load.mjs [--rates 250,1000,2000] [--latencies 0,50,150] [--seconds 15]
//                               [--doors exporter,processor,bridge,otlp] [--opper-limit N] [--json FILE]
// --opper-limit N: Opper serves N requests at once and answers 429 (Retry-After: 1) past it.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runApp, startBridge, startReceiver } from './lib/procs.mjs';

const APP = fileURLToPath(new URL('./lib/offered-app.mjs', import.meta.url));
const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '250,1000,2000' },
    latencies: { type: 'string', default: '0,50,150' },
    seconds: { type: 'string', default: '15' },
    doors: { type: 'string', default: 'exporter,processor,bridge,otlp' },
    'opper-limit': { type: 'string' },
    json: { type: 'string' },
  },
});
const list = (text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const rates = list(values.rates).map(Number);
const latencies = list(values.latencies).map(Number);
const doors = list(values.doors);
const seconds = Number(values.seconds);
const opperLimit = values['opper-limit'] === undefined ? undefined : Number(values['opper-limit']);
const log = (line) => process.stderr.write(`${line}\n`);

/** Waits until the receiver's count stops changing (the bridge may still be finishing). */
async function settled(read, quietMs = 1500, maxMs = 30_000) {
  let last = await read();
  for (let waited = 0; waited < maxMs; waited += quietMs) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  return last;
}

const rows = [];
const receiver = await startReceiver('local');
try {
  for (const latency of latencies) {
    for (const rate of rates) {
      for (const door of doors) {
        await receiver.call('reset');
        await receiver.call('latency', { ms: latency });
        if (opperLimit !== undefined) await receiver.call('limit', { max: opperLimit });
        const bridge = door === 'bridge' ? await startBridge(receiver) : undefined;
        log(`${door}: ${rate} spans/s for ${seconds} s, Opper answering after ${latency} ms${opperLimit ? `, ${opperLimit} at once` : ''}`);
        try {
          const spec = { door, rate, seconds, bridgeUrl: bridge?.url };
          const app = await runApp(spec, receiver, { script: APP });
          const stats =
            door === 'otlp'
              ? { stored: await receiver.call('sink').then((reply) => reply.spans), completed: undefined }
              : await (async () => {
                  await settled(async () => (await receiver.call('stats')).completed);
                  return receiver.call('stats');
                })();
          const delivered = stats.completed ?? stats.stored;
          rows.push({
            door,
            rate,
            latency,
            ended: app.ended,
            delivered,
            lost: app.ended - delivered,
            duplicated: stats.duplicated ?? 0,
            cpuUsPerSpan: (app.cpuMs * 1000) / app.ended,
            peakOpen: stats.maxConcurrent,
            status429: stats.statuses?.[429] ?? 0,
            requests: stats.requests,
            shutdown: app.shutdown,
            warnings: [...new Set(app.warnings)].join(' '),
            secondsAfterLoad: (app.totalMs - app.offeredMs) / 1000,
            stats: app.stats,
          });
        } finally {
          await bridge?.close();
        }
      }
    }
  }
} finally {
  await receiver.close();
}

const otlpCpu = (row) =>
  rows.find((other) => other.door === 'otlp' && other.rate === row.rate && other.latency === row.latency)?.cpuUsPerSpan;
const pad = (value, width) => String(value).padStart(width);
console.log(
  `\nOffered load: ${seconds} s per row, default options, Opper answering after the latency shown${opperLimit ? `, serving ${opperLimit} requests at once (429 past it)` : ''}`,
);
console.log(
  'door       rate/s  latency  delivered     lost  dup  CPU µs/span  × OTLP  peak open  429 share  shutdown  after load  warnings',
);
for (const row of rows) {
  const ratio = otlpCpu(row) && row.door !== 'otlp' ? `${(row.cpuUsPerSpan / otlpCpu(row)).toFixed(1)}×` : '';
  const share = row.requests ? `${((row.status429 / row.requests) * 100).toFixed(1)}%` : '';
  console.log(
    `${row.door.padEnd(10)} ${pad(row.rate, 6)} ${pad(`${row.latency} ms`, 8)} ${pad(row.delivered, 10)} ${pad(row.lost, 8)} ${pad(row.duplicated, 4)} ${pad(row.cpuUsPerSpan.toFixed(0), 12)} ${pad(ratio, 7)} ${pad(row.peakOpen ?? '', 10)} ${pad(share, 10)}  ${row.shutdown === 'resolved' ? 'resolved' : 'REJECTED'} ${pad(`${row.secondsAfterLoad.toFixed(1)} s`, 11)}  ${row.warnings}`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
