// The orchestrator's side: one receiver process for the whole run, one fresh app process per phase.
import { fork, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const RECEIVER = fileURLToPath(new URL('./receiver.mjs', import.meta.url));
const APP = fileURLToPath(new URL('./app.mjs', import.meta.url));

/** A small request/response channel over a child's IPC: call(cmd, fields) -> reply. */
function channel(child) {
  let next = 1;
  const pending = new Map();
  child.on('message', (message) => {
    const waiter = message && message.id !== undefined ? pending.get(message.id) : undefined;
    if (!waiter) return;
    pending.delete(message.id);
    waiter(message);
  });
  return (cmd, fields = {}) =>
    new Promise((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      child.send({ id, cmd, ...fields });
    });
}

/** Forks the receiver; resolves once it listens. */
export async function startReceiver(kind = 'local') {
  const child = fork(RECEIVER, [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`receiver exited early (code ${code})`)));
    child.on('message', (message) => message?.type === 'ready' && resolve(message));
  });
  child.removeAllListeners('exit');
  const call = channel(child);
  return {
    kind: ready.kind,
    url: ready.url,
    apiKey: ready.apiKey,
    otlpUrl: ready.otlpUrl,
    pid: child.pid,
    call,
    async close() {
      await Promise.race([call('close'), new Promise((resolve) => setTimeout(resolve, 2000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}

/**
 * Runs one phase in a fresh app process: `spec` is handed to app.mjs, which may send receiver
 * commands (relayed here) and finally its result.
 */
export function runApp(spec, receiver, { execArgv = [], script = APP } = {}) {
  const child = fork(script, [JSON.stringify({ ...spec, url: receiver.url, apiKey: receiver.apiKey, otlpUrl: receiver.otlpUrl })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  return new Promise((resolve, reject) => {
    let result;
    child.on('message', async (message) => {
      if (message?.type === 'receiver') {
        const reply = await receiver.call(message.cmd, message.fields);
        child.send({ ...reply, id: message.id });
      } else if (message?.type === 'result') {
        result = message.result;
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`phase ${spec.phase} failed (exit code ${code})`));
    });
  });
}

const BRIDGE = fileURLToPath(new URL('../../dist/bridge/bin.js', import.meta.url));

/** Spawns the `opper-otlp-bridge` bin in front of the receiver; resolves with its URL once it listens. */
export async function startBridge(receiver, concurrency) {
  const fixed = concurrency === undefined ? [] : ['--concurrency', String(concurrency)];
  const child = spawn(process.execPath, [BRIDGE, '--port', '0', '--grpc-port', 'off', ...fixed], {
    env: { ...process.env, OPPER_API_KEY: receiver.apiKey, OPPER_BASE_URL: receiver.url },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bridge exited early (code ${code})`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return void process.stderr.write(`[bridge] ${line}\n`); // a process warning, say
      }
      if (entry.msg === 'listening') resolve(entry.http);
      // Its warnings and errors belong in the bench's output; the routine lines do not.
      else if (entry.level === 'warn' || entry.level === 'error') process.stderr.write(`[bridge] ${line}\n`);
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    pid: child.pid,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}
