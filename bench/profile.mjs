#!/usr/bin/env node
// Where the exporter's CPU goes: runs a throughput phase in an app process under `node --cpu-prof`
// (same receiver process, spans, BatchSpanProcessor and concurrency as run.mjs), keeps only the
// samples of the measured window, and prints self time by component and the top functions.
//   node bench/profile.mjs [--target exporter,got,http] [--spans N] [--concurrency N] [--workload http|llm]
// The .cpuprofile files are kept (path printed) for Chrome DevTools / speedscope.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './lib/machine.mjs';
import { readOptions } from './lib/options.mjs';
import { runApp, startReceiver } from './lib/procs.mjs';

const opts = readOptions();
const targets = (opts.target ?? 'exporter,got').split(',');
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(os.tmpdir(), `opper-bench-profiles-${process.pid}`);
mkdirSync(dir, { recursive: true });

const GOT_DEPS = [
  'got',
  '@sindresorhus/is',
  '@szmarczak/http-timer',
  'cacheable-lookup',
  'cacheable-request',
  'decompress-response',
  'form-data-encoder',
  'http2-wrapper',
  'lowercase-keys',
  'p-cancelable',
  'responselike',
  'defer-to-connect',
  'keyv',
  'mimic-response',
  'normalize-url',
  'get-stream',
  'type-fest',
  'quick-lru',
  'resolve-alpn',
  'byte-counter',
  'chunk-data',
];

/** The component a frame belongs to. */
function componentOf({ url, functionName }) {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return 'V8/native (program)';
    if (functionName === '(idle)') return 'idle';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (GOT_DEPS.includes(pkg)) return pkg === 'got' ? 'got' : 'got deps';
    if (pkg.startsWith('@opentelemetry/')) return 'OpenTelemetry SDK/API';
    if (pkg === 'opperai' || pkg === 'zod') return 'opperai SDK + zod';
    return `node_modules/${pkg}`;
  }
  if (file.includes('/dist/translate/')) return 'exporter: translate';
  if (file.includes('/dist/transport/')) return 'exporter: transport';
  if (file.includes('/dist/')) return 'exporter: other';
  if (file.startsWith('node:internal/deps/undici')) return 'node: undici (fetch)';
  if (/^node:(_http|http|internal\/http|internal\/streams|stream|net|internal\/net|internal\/stream_base|internal\/js_stream)/.test(file))
    return 'node: http/net/streams';
  if (
    /^node:(events|internal\/event_target|internal\/process\/task_queues|internal\/timers|timers|internal\/async_hooks|async_hooks)/.test(
      file,
    )
  )
    return 'node: events/timers/async';
  if (file.startsWith('node:')) return 'node: other';
  if (file.includes('/bench/')) return 'bench harness';
  return file;
}

function analyse(profileFile, windowUs) {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map(); // node id -> µs
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < windowUs[0] || t > windowUs[1]) continue;
    // A sample stands for the time until the next one.
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
    total += dt;
  }
  const components = new Map();
  const functions = new Map();
  const inclusive = new Map();
  for (const [id, us] of self) {
    const frame = byId.get(id).callFrame;
    const component = componentOf(frame);
    if (component === 'idle') continue;
    components.set(component, (components.get(component) ?? 0) + us);
    const where = frame.url
      ? `${path.relative(root, frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url)}:${frame.lineNumber + 1}`
      : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    const entry = functions.get(key) ?? { us: 0, component };
    entry.us += us;
    functions.set(key, entry);
    // Inclusive time per component: each component on the stack counted once per sample.
    const seen = new Set();
    for (let node = id; node !== undefined; node = parent.get(node)) {
      const c = componentOf(byId.get(node).callFrame);
      if (!seen.has(c)) {
        seen.add(c);
        inclusive.set(c, (inclusive.get(c) ?? 0) + us);
      }
    }
  }
  const idle = [...self].filter(([id]) => componentOf(byId.get(id).callFrame) === 'idle').reduce((sum, [, us]) => sum + us, 0);
  return { total, idle, components, functions, inclusive };
}

const receiver = await startReceiver(opts.receiver);
const spans = opts.spans;
console.log(
  `# CPU profile of the measured window (${spans} ${opts.workload} spans, concurrency ${opts.concurrency}, receiver ${opts.receiver} in its own process)`,
);
console.log(`# ${describeMachine(machine())}`);
try {
  for (const target of targets) {
    await receiver.call('reset');
    const name = `${target}.cpuprofile`;
    const result = await runApp({ phase: target, n: spans, warmup: 1000, concurrency: opts.concurrency, kind: opts.workload }, receiver, {
      execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, '--cpu-prof-interval=250'],
    });
    // The profile is written as the process exits; wait for it.
    const file = path.join(dir, name);
    for (let i = 0; i < 100 && !readdirSync(dir).includes(name); i++) await new Promise((r) => setTimeout(r, 50));
    const { total, idle, components, functions, inclusive } = analyse(file, result.windowUs);
    const busy = total - idle;
    const perUnit = (us) => `${(us / 1000 / result.units).toFixed(3)} ms`;
    const share = (us) => `${((us / busy) * 100).toFixed(1)} %`.padStart(7);
    console.log(
      `\n## ${target}: ${Math.round(result.units / result.seconds)} /s, app CPU ${(result.appCpuMs / result.units).toFixed(3)} ms per span (cpuUsage); profile ${file}`,
    );
    console.log(`   sampled busy time ${perUnit(busy)} per span (idle ${((idle / total) * 100).toFixed(0)} % of the window)\n`);
    console.log('   self time by component                     share     per span   | inclusive (on the stack)');
    for (const [component, us] of [...components].sort((a, b) => b[1] - a[1]).slice(0, 16)) {
      console.log(`   ${component.padEnd(42)} ${share(us)}  ${perUnit(us).padStart(10)}   | ${share(inclusive.get(component) ?? 0)}`);
    }
    console.log('\n   top self-time functions');
    for (const [key, { us, component }] of [...functions].sort((a, b) => b[1].us - a[1].us).slice(0, 25)) {
      console.log(`   ${share(us)}  ${perUnit(us).padStart(9)}  [${component}] ${key}`);
    }
  }
} finally {
  await receiver.close();
}
