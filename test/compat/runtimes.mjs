// The runtimes beyond Node (docs/runtimes.md), each installed from npm by this repo (devDependencies):
// - workerd: docs/runtimes.md's Workers block, bundled with esbuild as wrangler does (the `workerd`,
//   `worker`, `browser` conditions), served by workerd without nodejs_compat. Requests are sent,
//   then nothing more: every span (create and end, parents intact, the LLM span's input, output
//   and usage) must reach the local Opper, so it was sent inside those requests' waitUntil, the
//   spans that ended after the response included.
// - edge-runtime: docs/runtimes.md's middleware block, bundled as Next.js bundles middleware (the
//   `edge-light` condition), run with a FetchEvent; every span is in Opper once its waitUntil settled.
// - bun and deno: the README's quick starts, as readme.mjs runs them under node.
// Each checks in its own time limit (RUNTIME_MS), so the suite stays within CI's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runQuickStarts } from './readme.mjs';

/** The line whose install (exporter tarball, OpenTelemetry 2.x, AI SDK) the runtimes use. */
export const RUNTIMES = { line: 'otel2' };
const RUNTIME_MS = 60_000;
// A block of docs/runtimes.md: "not run: in Node; test/compat/runtimes.mjs runs it in RUNTIME as FILE".
const DOC_BLOCK = /^\/\/ not run: .*runs it in (\S+) as (\S+)$/;
const QUESTIONS = ['Should I bring an umbrella?', 'Is it windy in Oslo?', 'Will it snow in Kiruna?'];

/** docs/runtimes.md's blocks for `runtime`: { [file]: source }. */
export function docBlocks(repo, runtime) {
  const markdown = fs.readFileSync(path.join(repo, 'docs', 'runtimes.md'), 'utf8');
  const files = {};
  for (const [, body] of markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)) {
    const match = DOC_BLOCK.exec(body.split('\n')[0]);
    if (match && match[1] === runtime) files[match[2]] = body;
  }
  return files;
}

export async function runRuntimes(line, lineDir, ctx) {
  const { record } = ctx;
  const checks = [
    ['workerd', () => runWorkerd(lineDir, ctx)],
    ['edge-runtime', () => runEdgeRuntime(lineDir, ctx)],
  ];
  for (const [name, check] of checks) {
    const t0 = Date.now();
    try {
      const { problems, summary, output } = await withinTime(check(), name);
      record({
        line: line.id,
        name,
        status: problems.length ? 'fail' : 'pass',
        ms: Date.now() - t0,
        detail: problems.join('; ') || summary,
        output: problems.length ? output : undefined,
      });
    } catch (error) {
      record({ line: line.id, name, status: 'fail', ms: Date.now() - t0, detail: error.message, output: error.output ?? error.stack });
    }
  }
  for (const runtime of ['bun', 'deno']) {
    const bin = path.join(ctx.repo, 'node_modules', '.bin', runtime);
    const launcher =
      runtime === 'bun'
        ? { name: 'bun', bin, prefix: [], preload: '--preload' }
        : { name: 'deno', bin, prefix: ['run', '-A'], preload: '--preload' };
    await runQuickStarts(line, lineDir, { ...ctx, launcher }, [/^A tracer provider of your own$/, /^An LLM app$/]);
  }
}

function withinTime(promise, name) {
  let timer;
  const late = new Promise(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${name}: no result within ${RUNTIME_MS / 1000} s`)), RUNTIME_MS)),
  );
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Bundles `source` (written into `dir`) as the target's bundler does. */
async function bundle(repo, dir, file, source, options) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), source);
  const esbuild = await import(pathToFileURL(path.join(repo, 'node_modules', 'esbuild', 'lib', 'main.js')).href);
  const result = await esbuild.build({
    entryPoints: [path.join(dir, file)],
    absWorkingDir: dir,
    bundle: true,
    write: false,
    platform: 'browser',
    logLevel: 'silent',
    ...options,
  });
  return result.outputFiles[0].text;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The spans of one request's trace, as the Workers block makes them: answer > chat gpt-4o-mini, log answer. */
function checkTrace(opper, root, question, rootName, problems) {
  const spans = [...opper.spans.values()].filter((s) => s.trace_id === root.trace_id);
  const chat = spans.find((s) => s.name === 'chat gpt-4o-mini');
  const after = spans.find((s) => s.name === 'log answer');
  if (spans.length !== 3 || !chat || !after)
    problems.push(`${rootName}: ${spans.map((s) => s.name).join(', ')} stored, expected answer, chat gpt-4o-mini, log answer`);
  for (const span of spans) {
    if (span.end_time === null) problems.push(`${span.name}: never ended (no PATCH)`);
    if (span !== root && span.parent_id !== root.id) problems.push(`${span.name}: parent ${span.parent_id}, expected ${root.id}`);
    if (opper.creates(span.id) !== 1 || opper.patches(span.id) !== 1)
      problems.push(`${span.name}: created ${opper.creates(span.id)}x, patched ${opper.patches(span.id)}x`);
  }
  if (root.parent_id !== null) problems.push(`${rootName}: has a parent`);
  if (root.input !== question) problems.push(`${rootName}: input ${JSON.stringify(root.input)}`);
  if (chat) {
    if (chat.type !== 'llm') problems.push(`the chat span has type ${chat.type}, expected llm`);
    if (!JSON.stringify(chat.input ?? '').includes(question))
      problems.push(`the chat span's input does not hold the question: ${JSON.stringify(chat.input)}`);
    if (!chat.output) problems.push('the chat span has no output');
    if (!chat.meta?.['gen_ai.usage.input_tokens'] || !chat.meta?.['gen_ai.usage.output_tokens'])
      problems.push(`the chat span has no usage: ${JSON.stringify(chat.meta)}`);
  }
}

async function runWorkerd(lineDir, { repo, startLocalOpper }) {
  const dir = path.join(lineDir, 'runtimes', 'workerd');
  const { 'worker.mjs': source } = docBlocks(repo, 'workerd');
  if (!source) throw new Error('docs/runtimes.md has no block for workerd as worker.mjs');
  const code = await bundle(repo, dir, 'worker.mjs', source, { format: 'esm', conditions: ['workerd', 'worker', 'browser'] });
  fs.writeFileSync(path.join(dir, 'worker.js'), code);
  const { startOpenAIStub } = await import(pathToFileURL(path.join(repo, 'examples', 'openai-stub.mjs')).href);
  const opper = await startLocalOpper();
  const model = await startOpenAIStub();
  const port = await freePort();
  const text = (value) => JSON.stringify(value);
  // No nodejs_compat: the fetch build must need nothing of Node's. Outbound fetch may reach loopback only.
  fs.writeFileSync(
    path.join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
  bindings = [
    (name = "OPPER_API_KEY", text = ${text(opper.apiKey)}),
    (name = "OPPER_BASE_URL", text = ${text(opper.url)}),
    (name = "OPENAI_BASE_URL", text = ${text(model.baseURL)}),
    (name = "OPENAI_API_KEY", text = "sk-stub"),
  ],
);
`,
  );
  const log = { stdout: '', stderr: '' };
  const child = spawn(path.join(repo, 'node_modules', '.bin', 'workerd'), ['serve', 'config.capnp'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (log.stdout += chunk));
  child.stderr.on('data', (chunk) => (log.stderr += chunk));
  const exited = new Promise((resolve) => child.on('close', resolve));
  const problems = [];
  try {
    const ask = async (question) => {
      const response = await fetch(`http://127.0.0.1:${port}/?q=${encodeURIComponent(question)}`);
      return { status: response.status, body: await response.text() };
    };
    await waitForPort(port, exited);
    // Three requests at once share one isolate and one exporter; then one more alone.
    const rounds = [QUESTIONS, ['Is it sunny in Rome?']];
    let asked = 0;
    for (const round of rounds) {
      const answers = await Promise.all(round.map(ask));
      for (const answer of answers)
        if (answer.status !== 200) problems.push(`the worker answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      asked += round.length;
      // No request follows until the spans are in: only these requests' waitUntil can have sent them.
      const done = (spans) => spans.size === asked * 3 && [...spans.values()].every((s) => s.end_time !== null);
      await opper
        .waitForSpans(done, 20_000)
        .catch(() => problems.push(`after ${asked} requests: ${opper.spans.size} spans stored, expected ${asked * 3} ended`));
    }
    const roots = [...opper.spans.values()].filter((s) => s.name === 'answer');
    for (const question of rounds.flat()) {
      const root = roots.find((s) => s.input === question);
      if (!root) problems.push(`the trace of "${question}" never arrived (or not ended)`);
      else checkTrace(opper, root, question, `"${question}"`, problems);
    }
    if (opper.violations.length) problems.push(`Opper contract violations: ${opper.violations.map((v) => v.message).join('; ')}`);
    const agent = opper.requests.find((r) => r.path.endsWith('/spans'))?.headers['user-agent'] ?? '';
    return {
      problems,
      summary: `${roots.length} requests (3 at once, then 1), ${opper.spans.size} spans each created and ended inside its request's waitUntil, parents intact, LLM span with usage; user-agent "${agent}"`,
      output: `${log.stdout}\n--- stderr ---\n${log.stderr}`,
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await Promise.all([opper.close(), model.close()]);
  }
}

/** Waits until something listens on `port`, or fails if the process exits first. */
async function waitForPort(port, exited) {
  let gone = false;
  exited.then(() => (gone = true));
  const connects = () =>
    new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(true) || socket.end());
      socket.on('error', () => resolve(false));
    });
  for (const deadline = Date.now() + 30_000; Date.now() < deadline && !gone; ) {
    if (await connects()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(gone ? 'workerd exited before serving' : 'workerd did not serve within 30 s');
}

async function runEdgeRuntime(lineDir, { repo, startLocalOpper }) {
  const dir = path.join(lineDir, 'runtimes', 'edge-runtime');
  const { 'middleware.mjs': source } = docBlocks(repo, 'edge-runtime');
  if (!source) throw new Error('docs/runtimes.md has no block for edge-runtime as middleware.mjs');
  // As Next.js bundles middleware: edge-light first; a script that registers a fetch listener.
  const code = await bundle(repo, dir, 'middleware.mjs', source, {
    format: 'iife',
    globalName: 'middlewareModule',
    conditions: ['edge-light', 'worker', 'browser'],
  });
  const { EdgeRuntime } = await import(pathToFileURL(path.join(repo, 'node_modules', 'edge-runtime', 'dist', 'index.js')).href);
  const opper = await startLocalOpper();
  const problems = [];
  const warnings = [];
  try {
    const runtime = new EdgeRuntime({
      initialCode: `${code}\naddEventListener('fetch', (event) => event.respondWith(middlewareModule.middleware(event.request, event)));`,
      // Vercel's edge runtime has process.env (and no other part of process).
      extend: (context) =>
        Object.assign(context, {
          process: { env: { OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url } },
          console: { ...console, warn: (...args) => warnings.push(args.join(' ')) },
        }),
    });
    const paths = ['/api/one', '/api/two', '/api/three'];
    const responses = await Promise.all(paths.map((p) => runtime.dispatchFetch(`http://localhost${p}`)));
    for (const response of responses)
      if (response.status !== 200) problems.push(`the middleware answered ${response.status}: ${await response.text()}`);
    // Once every request's waitUntil has settled, every span is stored: nothing was left to later.
    await Promise.all(responses.map((response) => response.waitUntil()));
    const stored = [...opper.spans.values()];
    for (const p of paths) {
      const root = stored.find((s) => s.name === `middleware ${p}`);
      const child = root && stored.find((s) => s.parent_id === root.id);
      if (!root || root.end_time === null) problems.push(`middleware ${p}: not stored and ended when its waitUntil settled`);
      else if (child?.name !== 'check session' || child.end_time === null || child.output !== 'anonymous')
        problems.push(`middleware ${p}: its "check session" span is missing, unended or unlinked`);
    }
    if (stored.length !== paths.length * 2) problems.push(`${stored.length} spans stored, expected ${paths.length * 2}`);
    if (opper.violations.length) problems.push(`Opper contract violations: ${opper.violations.map((v) => v.message).join('; ')}`);
    if (warnings.length) problems.push(`warnings: ${warnings.join('; ')}`);
    return {
      problems,
      summary: `${paths.length} requests at once, ${stored.length} spans stored and ended by the time each waitUntil settled, parents intact`,
      output: code.slice(0, 2000),
    };
  } finally {
    await opper.close();
  }
}
