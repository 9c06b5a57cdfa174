// Issue 23, item 2: a process that ends 500 spans through OpperSpanProcessor while Opper takes
// 2 s per request, calls shutdown() (shutdownTimeoutMillis 1000) and does nothing else
// (test/fixtures/shutdown-exit.mjs): how long shutdown() took, how long after calling it the
// process exited, and the spans exported + lost when it resolved. Run after `npm run build`:
//   node bench/shutdown-exit.mjs
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startReceiver } from './lib/procs.mjs';

const fixture = fileURLToPath(new URL('../test/fixtures/shutdown-exit.mjs', import.meta.url));
const opper = await startReceiver('local');
await opper.call('latency', { ms: 2000 });
for (const transport of ['inline', 'worker']) {
  const child = spawn(process.execPath, [fixture, transport], {
    env: { ...process.env, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  await new Promise((resolve) => child.on('exit', resolve));
  const exitedAt = Date.now();
  const [result] = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  console.log(
    `${transport}: exported + lost = ${result.accounted} (${JSON.stringify({ exported: result.spansExported, lost: result.spansLost })}), shutdown() took ${result.resolvedAt - result.shutdownAt} ms, process exited ${exitedAt - result.shutdownAt} ms after calling it`,
  );
}
await opper.close();
