// A client of the app under test, in its own process: GET requests to argv[2] at argv[3] per
// second for argv[4] seconds over keep-alive; sends back how long they took (ms percentiles).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, rate, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const latencies = [];
let sent = 0;
let failed = 0;
let open = 0;
const t0 = performance.now();
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const elapsed = performance.now() - t0;
    for (const due = Math.floor((Math.min(elapsed, seconds * 1000) / 1000) * rate); sent < due; sent++) {
      const start = performance.now();
      open++;
      http
        .get(url, { agent }, (res) =>
          res.resume().on('end', () => {
            open--;
            latencies.push(performance.now() - start);
          }),
        )
        .on('error', () => {
          open--;
          failed++;
        });
    }
    if (elapsed >= seconds * 1000 && open === 0) {
      clearInterval(tick);
      resolve();
    }
  }, 2);
});
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.send({ sent, failed, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN }, () => process.exit(0));
