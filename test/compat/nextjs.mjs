// The compat suite's Next.js step: a real Next.js app built with `next build` whose
// instrumentation.ts is the README's block (@vercel/otel's registerOTel with OpperSpanExporter),
// plus an App Router route handler that makes a span of its own and fetches a loopback
// downstream. `next start` serves it with OPPER_* pointing at a fresh local Opper; after one
// GET the step waits (with a deadline) for the route's trace in Opper, then sends SIGTERM.
// Checked: Next's server span is the root, the route's spans descend from it in one trace, each
// span stored once, no contract violation. Two more runs hold the batch back and send SIGTERM right
// after the response, as the README says: by default Next exits 143 and the queued spans never
// leave; with NEXT_MANUAL_SIG_HANDLE=true the block's handler sends them and exits 0. Its own
// install (lines.mjs NEXTJS says why).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NEXTJS } from './lines.mjs';
import { installOwn } from './own-install.mjs';
import { importedPackages, readBlocks } from './readme-blocks.mjs';

const BUILD_MS = 300_000;
const START_MS = 60_000;
// @vercel/otel batches spans (BatchSpanProcessor, 5 s schedule): the trace arrives after that.
const SPANS_MS = 60_000;
const EXIT_MS = 30_000;
// `next start` exits with 128 + 15 after SIGTERM (its own handler); it does not shut tracing down.
const NEXT_SIGTERM_EXIT = 143;
const ROUTE = '/api/hello';

/** The README's instrumentation.ts: the `// file: instrumentation.ts` block under the Next.js heading. */
export function nextReadmeInstrumentation(markdown) {
  const block = readBlocks(markdown).blocks.find(
    (b) => b.heading === 'Next.js and `@vercel/otel`' && /^\/\/ file: instrumentation\.ts\b/.test(b.lines[0] ?? ''),
  );
  if (!block) throw new Error('docs/serverless.md: no "// file: instrumentation.ts" block under "## Next.js and `@vercel/otel`"');
  return block.text;
}

// The app around it: a root layout and one route handler (Node.js runtime, dynamic).
const LAYOUT = `export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`;
const ROUTE_HANDLER = `import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('compat-next-route');

export async function GET() {
  const greeting = await tracer.startActiveSpan('compose greeting', async (span) => {
    try {
      const downstream = await fetch(process.env.DOWNSTREAM_URL!, { cache: 'no-store' });
      return \`\${await downstream.text()} via next\`;
    } finally {
      span.end();
    }
  });
  return Response.json({ greeting });
}
`;

/** The step's own install (own-install.mjs), with Next's SWC binary checked; resolves the dir, or undefined. */
export function installNext(line, nodeBin, tarball, ctx) {
  // Next's compiler ships as an optional dependency per platform; without it `next build` fails.
  const swc = `@next/swc-${process.platform}-${process.arch}-gnu`;
  return installOwn('nextjs', NEXTJS.dependencies, line, nodeBin, tarball, ctx, (dir) => {
    const version = ctx.installedVersion(dir, swc);
    return { problems: version ? [] : [`${swc} (Next's SWC binary) was not installed`], detail: `${swc} ${version}` };
  });
}

/**
 * Builds the app in `dir` and serves it three times: `app nextjs` checks the trace in Opper; `app
 * nextjs (SIGTERM)` holds the batch back and stops the server right after the response, to show
 * that `next start` exits on SIGTERM without shutting tracing down; `(SIGTERM, manual)` does the
 * same with NEXT_MANUAL_SIG_HANDLE=true, where the README block's handler must send the spans.
 */
export async function runNextApp(line, nodeBin, dir, ctx) {
  const { repo, record, run, cleanEnv, output } = ctx;
  const t0 = Date.now();
  const instrumentation = nextReadmeInstrumentation(fs.readFileSync(path.join(repo, 'docs', 'serverless.md'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'instrumentation.ts'), `${instrumentation}\n`);
  fs.mkdirSync(path.join(dir, 'app', 'api', 'hello'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app', 'layout.tsx'), LAYOUT);
  fs.writeFileSync(path.join(dir, 'app', 'api', 'hello', 'route.ts'), ROUTE_HANDLER);
  const missing = importedPackages(instrumentation).filter((name) => !fs.existsSync(path.join(dir, 'node_modules', name, 'package.json')));
  const env = cleanEnv({ PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`, NEXT_TELEMETRY_DISABLED: '1' });
  const next = path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next');
  const fail = (name, detail, log) => record({ line: line.id, name, status: 'fail', ms: Date.now() - t0, detail, output: log });
  if (missing.length)
    return fail('app nextjs', `the README's instrumentation.ts imports ${missing.join(', ')}, which NEXTJS does not install`);
  const build = await run(nodeBin, [next, 'build'], { cwd: dir, env, timeoutMs: BUILD_MS });
  const built = `next build ${((Date.now() - t0) / 1000).toFixed(1)}s (${/Turbopack/.test(build.stdout) ? 'Turbopack' : 'webpack'})`;
  if (build.code !== 0) return fail('app nextjs', `next build exited ${build.code}`, `$ cd ${dir} && next build\n${output(build)}`);
  const app = { line, nodeBin, next, dir, env, ctx };

  await serve(
    app,
    'app nextjs',
    {},
    NEXT_SIGTERM_EXIT,
    async (opper, problems) => {
      // No sleep: the route's trace is awaited in Opper, then the server is stopped.
      const answered = Date.now();
      await opper
        .waitForSpans((spans) => requestTrace([...spans.values()]).complete, SPANS_MS)
        .then(
          () => (app.arrivedMs = Date.now() - answered),
          (error) => problems.push(`the route's trace did not arrive in Opper within ${SPANS_MS} ms: ${error.message}`),
        );
    },
    (opper, downstream, problems) => {
      const checked = checkNextSpans(opper, downstream);
      problems.push(...checked.problems);
      return `${built}, next start: ${checked.summary}; the trace was in Opper ${(app.arrivedMs / 1000).toFixed(1)}s after the response`;
    },
  );

  // A batch delay no run reaches: every span is still queued when SIGTERM comes.
  const held = { OTEL_BSP_SCHEDULE_DELAY: '600000' };
  await serve(
    app,
    'app nextjs (SIGTERM)',
    held,
    NEXT_SIGTERM_EXIT,
    async () => {},
    (opper, _downstream, problems) => {
      if (opper.requests.length !== 0)
        problems.push(`Opper got ${opper.requests.length} requests: Next.js now flushes on SIGTERM; update the README's Next.js part`);
      return `SIGTERM right after the response, spans still in the batch: exit ${NEXT_SIGTERM_EXIT}, 0 spans reach Opper, as the README says`;
    },
  );
  // The block's own handler: the processor's shutdown sends the queued spans before the exit.
  await serve(
    app,
    'app nextjs (SIGTERM, manual)',
    { ...held, NEXT_MANUAL_SIG_HANDLE: 'true' },
    0,
    async () => {},
    (opper, downstream, problems) => {
      const checked = checkNextSpans(opper, downstream);
      problems.push(...checked.problems);
      return `NEXT_MANUAL_SIG_HANDLE=true, SIGTERM right after the response, spans still in the batch: exit 0, ${checked.summary}`;
    },
  );
}

/** One `next start` against a fresh Opper: GET the route, `beforeStop`, SIGTERM (exit `exitCode`), `check`; records `name`. */
async function serve({ line, nodeBin, next, dir, env, ctx }, name, extraEnv, exitCode, beforeStop, check) {
  const { record, startDownstream, httpGet, startLocalOpper } = ctx;
  const t0 = Date.now();
  const opper = await startLocalOpper();
  const downstream = await startDownstream();
  const server = startNext(nodeBin, next, dir, {
    ...env,
    ...extraEnv,
    OPPER_API_KEY: opper.apiKey,
    OPPER_BASE_URL: opper.url,
    DOWNSTREAM_URL: downstream.url,
  });
  const problems = [];
  try {
    const base = await server.listening;
    const response = await httpGet(`${base}${ROUTE}`, 60_000);
    if (response.status !== 200 || !response.body.includes('hello from downstream via next')) {
      problems.push(`GET ${ROUTE} answered ${response.status}: ${response.body.slice(0, 200)}`);
    }
    await beforeStop(opper, problems);
    const exit = await server.stop();
    if (exit !== exitCode) problems.push(`next start exited ${exit} after SIGTERM, expected ${exitCode}`);
    const summary = check(opper, downstream, problems);
    record({
      line: line.id,
      name,
      status: problems.length ? 'fail' : 'pass',
      ms: Date.now() - t0,
      detail: problems.length ? problems.join('; ') : summary,
      output: problems.length ? `$ cd ${dir} && next start\n${server.log()}` : undefined,
    });
  } catch (error) {
    await server.stop();
    record({ line: line.id, name, status: 'fail', ms: Date.now() - t0, detail: error.message, output: server.log() });
  } finally {
    await Promise.all([opper.close(), downstream.close()]);
  }
}

/** `next start` on a free loopback port; resolves its URL once it prints it. */
function startNext(nodeBin, next, dir, env) {
  const child = spawn(nodeBin, [next, 'start', '--port', '0', '--hostname', '127.0.0.1'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  const listening = new Promise((resolve, reject) => {
    const read = (chunk) => {
      log += chunk;
      const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    exited.then((code) => reject(new Error(`next start exited (${code}) before listening`)));
    setTimeout(() => reject(new Error(`next start did not print its URL within ${START_MS} ms`)), START_MS).unref();
  });
  listening.catch(() => {});
  const stop = async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_MS);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  return { listening, stop, log: () => log };
}

/** The spans of the GET: Next's server span, its route handler span, the app's span and its fetch. */
function requestTrace(spans) {
  const ended = spans.filter((s) => s.end_time !== null);
  const server = ended.find(
    (s) => s.parent_id === null && s.meta?.['next.span_type'] === 'BaseServer.handleRequest' && s.meta?.['http.target'] === ROUTE,
  );
  const inTrace = ended.filter((s) => server && s.trace_id === server.trace_id);
  const handler = inTrace.find((s) => s.meta?.['next.span_type'] === 'AppRouteRouteHandlers.runHandler');
  const own = inTrace.find((s) => s.name === 'compose greeting');
  const fetchSpan = inTrace.find((s) => own && s.parent_id === own.id);
  return { server, handler, own, fetchSpan, inTrace, complete: Boolean(server && handler && own && fetchSpan) };
}

/** What Opper must hold after one GET of the route (Next's spans outside the request may be there too). */
export function checkNextSpans(opper, downstream) {
  const problems = [];
  const expect = (ok, text) => ok || problems.push(text);
  const spans = [...opper.spans.values()];
  const byId = new Map(spans.map((s) => [s.id, s]));
  expect(
    opper.violations.length === 0,
    `${opper.violations.length} contract violation(s): ${JSON.stringify(opper.violations.slice(0, 2))}`,
  );
  for (const span of spans) {
    expect(span.end_time !== null, `span ${span.name} has no end_time`);
    expect(span.parent_id === null || byId.has(span.parent_id), `span ${span.name} names a parent Opper does not hold`);
    expect(
      opper.creates(span.id) === 1 && opper.patches(span.id) === 1,
      `span ${span.name}: ${opper.creates(span.id)} creates, ${opper.patches(span.id)} patches`,
    );
  }
  const { server, handler, own, fetchSpan, inTrace } = requestTrace(spans);
  expect(server, `no root span of Next's for GET ${ROUTE} (next.span_type BaseServer.handleRequest)`);
  if (server) {
    expect(
      server.name === `GET ${ROUTE}` && server.type === 'http' && server.meta?.['http.status_code'] === 200,
      `Next's server span: ${server.type} ${server.name}, status ${server.meta?.['http.status_code']}`,
    );
    const resource = server.meta?.resource;
    expect(resource?.['service.name'] === 'my-next-app', `service.name ${resource?.['service.name']}, expected the README's my-next-app`);
  }
  const descends = (span, ancestor) => {
    for (let at = span; at; at = byId.get(at.parent_id)) if (at.parent_id === ancestor.id) return true;
    return false;
  };
  expect(handler && server && descends(handler, server), `Next's route handler span does not descend from its server span`);
  expect(own && handler && own.parent_id === handler.id, `the route's own span is not a child of Next's route handler span`);
  expect(
    fetchSpan && fetchSpan.type === 'http' && String(fetchSpan.meta?.['http.url']) === downstream.url,
    `the route's fetch span: ${fetchSpan?.type} ${fetchSpan?.name}`,
  );
  expect(downstream.requests.length === 1, `the downstream got ${downstream.requests.length} requests, expected 1`);
  // Nothing traced the exporter's own requests.
  const opperPort = `:${new URL(opper.url).port}`;
  const self = spans.filter((s) => JSON.stringify(s.meta ?? {}).includes(opperPort));
  expect(self.length === 0, `spans of the exporter's own requests: ${self.map((s) => s.name).join(', ')}`);
  expect(!opper.requests.some((r) => r.headers.traceparent), 'a request to Opper carried a traceparent header');
  const others = spans.filter((s) => s.trace_id !== server?.trace_id).map((s) => s.name);
  const summary =
    `${inTrace.length} spans in the GET ${ROUTE} trace (Next's server span > ... > route handler > ` +
    `"compose greeting" > fetch), each stored once, 0 violations; ${others.length} span(s) of Next's outside the request ` +
    `(${[...new Set(others)].join(', ')})`;
  return { problems, summary };
}
