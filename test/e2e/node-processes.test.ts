// Behaviours that only show outside Jest: instrumentation-http does not patch inside Jest's module
// system, and require(esm) needs plain Node. Each case runs an app from test/fixtures in `node`,
// importing the built package by its name (npm test builds it first).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { toOpperSpanId } from '../../src/translate/ids.js';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let opper: LocalOpper;
beforeAll(async () => {
  opper = await startLocalOpper();
});
afterAll(() => opper.close());

async function runApp(args: string[], env: Record<string, string> = {}) {
  opper.reset();
  const { stdout, stderr } = await run(process.execPath, args, {
    env: { ...process.env, ...env, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey },
    timeout: 30_000,
  });
  const lines = stdout.trim().split('\n');
  return { result: JSON.parse(lines[lines.length - 1]!), stderr };
}

const TRANSPORTS = ['inline', 'worker'] as const;
const ORDERS = ['exporter-first', 'instrumentation-first'] as const;
const IN_A_WORKER = /instrumentation loaded in a worker thread/;

/** The app's own round trip (its span, the HTTP client and server spans) and the direct export. */
function expectOnlyTheAppsSpans(result: { spans: { name: string; url?: string }[]; stats: unknown }) {
  expect(result.spans.map((s) => s.name).sort()).toEqual(['GET', 'GET', 'direct export', 'round trip']);
  expect(result.spans.filter((s) => String(s.url).includes('/spans'))).toEqual([]);
  // Opper received exactly those, each once, and nothing about its own requests.
  expect([...opper.spans.values()].map((s) => s.name).sort()).toEqual(['GET', 'GET', 'direct export', 'round trip']);
  expect(result.stats).toMatchObject({ spansExported: 5, spansFailed: 0 });
  expect(opper.violations).toEqual([]);
}

describe.each(TRANSPORTS)('transport %s: an app with instrumentation-http and instrumentation-undici', (transport) => {
  it.each(ORDERS)("through the ESM hook (--import), %s, traces the app's own HTTP and never the exporter's requests", async (order) => {
    const { result, stderr } = await runApp(['--import', fixture('self-tracing/instrumentation.mjs'), fixture('self-tracing/app.mjs')], {
      ORDER: order,
      OPPER_EXPORTER_TRANSPORT: transport,
    });
    expectOnlyTheAppsSpans(result);
    expect(stderr).not.toMatch(IN_A_WORKER); // the worker did not run the app's --import
  });

  it("through a CommonJS preload (NODE_OPTIONS=--require), traces the app's own HTTP and never the exporter's requests", async () => {
    const { result, stderr } = await runApp([fixture('self-tracing/app.mjs')], {
      NODE_OPTIONS: `--require ${fixture('self-tracing/instrumentation.cjs')}`,
      OPPER_EXPORTER_TRANSPORT: transport,
    });
    expectOnlyTheAppsSpans(result);
    expect(stderr).not.toMatch(IN_A_WORKER); // nor NODE_OPTIONS' --require
  });
});

describe('the worker transport and the life of the process', () => {
  const lifecycle = (mode: string) =>
    run(process.execPath, [fixture('worker-lifecycle.mjs')], {
      env: { ...process.env, MODE: mode, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey },
      timeout: 15_000,
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number | null; killed?: boolean; stdout: string }) => error,
    );

  it('does not keep an idle process alive', async () => {
    opper.reset();
    const { code, stdout, killed } = (await lifecycle('idle')) as { code: number; stdout: string; killed?: boolean };
    expect(killed ?? false).toBe(false); // ended on its own, not by the timeout
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ code: 0, spansExported: 1 });
  });

  it('does not keep alive a process whose exporter was created and never used', async () => {
    opper.reset();
    const { code, stdout, killed } = (await lifecycle('unused')) as { code: number; stdout: string; killed?: boolean };
    expect(killed ?? false).toBe(false);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ unused: true, requests: 0 });
  });

  it('keeps the process alive while it delivers, so shutdown() flushes as the inline transport does', async () => {
    opper.reset();
    opper.inject({ delayMs: 1000 }); // the delivery outlasts the worker's start-up
    const { code, stdout } = await lifecycle('shutdown');
    opper.clearFaults();
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ spansExported: 2, spansFailed: 0 });
    expect([...opper.spans.values()].map((s) => s.name)).toEqual(['shutdown span']);
    expect(opper.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('lets process.exit() end the process while a request hangs', async () => {
    opper.reset();
    opper.inject({ hang: true });
    try {
      const { code, killed } = (await lifecycle('exit')) as { code: number; killed?: boolean };
      expect(killed ?? false).toBe(false);
      expect(code).toBe(3);
    } finally {
      opper.clearFaults();
    }
  });
});

describe("OpperSpanProcessor with spanFilter 'ai' in an app with instrumentation-http", () => {
  it('stores exactly the AI and opper.* spans, each linked to its nearest stored ancestor', async () => {
    const { result } = await runApp([fixture('processor-filter.mjs')]);
    type Ended = { name: string; spanId: string; traceId: string; parentSpanId?: string };
    const ended = result.spans as Ended[];
    const byHex = new Map(ended.map((s) => [s.spanId, s]));
    const opperId = (s: Ended) => toOpperSpanId(s.spanId, s.traceId);
    // What the app made: client and server spans of GET /chat and of the model call, and the agent's five.
    expect(ended.map((s) => s.name).sort()).toEqual([
      'GET',
      'GET',
      'GET',
      'GET',
      'chat gpt-4o',
      'execute_tool weather',
      'format prompt',
      'invoke_agent support',
      'my step',
    ]);
    const wanted = new Set(['invoke_agent support', 'chat gpt-4o', 'execute_tool weather', 'my step']);
    const exported = ended.filter((s) => wanted.has(s.name));
    // Nearest exported ancestor, walking the SDK's own parent chain.
    const expectedParent = (span: Ended): string | null => {
      for (let up = byHex.get(span.parentSpanId ?? ''); up; up = byHex.get(up.parentSpanId ?? ''))
        if (wanted.has(up.name)) return opperId(up);
      return null;
    };
    expect([...opper.spans.keys()].sort()).toEqual(exported.map(opperId).sort());
    for (const span of exported) {
      const stored = opper.spans.get(opperId(span))!;
      expect({ name: stored.name, parent: stored.parent_id }).toEqual({ name: span.name, parent: expectedParent(span) });
      expect(stored.end_time).toEqual(expect.any(String));
      expect([opper.creates(opperId(span)), opper.patches(opperId(span))]).toEqual([1, 1]);
    }
    const agent = exported.find((s) => s.name === 'invoke_agent support')!;
    expect(opper.spans.get(opperId(agent))!.parent_id).toBeNull(); // its ancestors are HTTP spans
    for (const name of ['chat gpt-4o', 'execute_tool weather', 'my step']) {
      expect(opper.spans.get(opperId(exported.find((s) => s.name === name)!))!.parent_id).toBe(opperId(agent));
    }
    for (const stored of opper.spans.values()) if (stored.parent_id !== null) expect(opper.spans.has(stored.parent_id)).toBe(true);
    expect(result.stats).toMatchObject({ spansExported: 4, spansFailed: 0, spansDropped: 0, queuedSpans: 0, liveSpans: 0 });
    expect(opper.violations).toEqual([]);
  });
});

describe('importing the package', () => {
  it('loads neither undici nor node:http until the first export', async () => {
    // process.moduleLoadList names every built-in module loaded so far; undici is CommonJS.
    const script = `
      const before = new Set(process.moduleLoadList);
      const { OpperSpanExporter } = await import('opentelemetry-exporter-opper');
      new OpperSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v2', transport: 'inline' });
      const { createRequire } = await import('node:module');
      const undici = Object.keys(createRequire(process.cwd() + '/').cache).filter((path) => /node_modules.undici/.test(path)).slice(0, 1);
      const loaded = process.moduleLoadList.filter((m) => !before.has(m) && /\\b(https?|net|tls)$/.test(m));
      console.log(JSON.stringify([...loaded, ...undici]));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: fixture('..') });
    expect(JSON.parse(stdout)).toEqual([]);
  });
});

describe('CommonJS', () => {
  it('loads the package with require() and exports', async () => {
    const { result } = await runApp([fixture('require-app.cjs')]);
    expect(result).toMatchObject({ spansExported: 1, spansFailed: 0 });
    expect([...opper.spans.values()]).toEqual([expect.objectContaining({ name: 'from require', type: 'cjs' })]);
  });
});

describe('an app that exits right after a failed shutdown', () => {
  const envWith = (env: Record<string, string>) => {
    const { OPPER_API_KEY, OPPER_BASE_URL, ...rest } = process.env;
    return { ...rest, ...env };
  };
  const exitAfterFailure = (env: Record<string, string>) =>
    run(process.execPath, [fixture('exit-after-failure.mjs')], { env: envWith(env), timeout: 30_000 });
  /** Runs a script expected to exit non-zero; resolves with its exit code and output. */
  const exitAfterFailureOf = (script: string, env: Record<string, string>) =>
    run(process.execPath, [script], { env: envWith(env), timeout: 30_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('still prints the warning that names a rejected key', async () => {
    const { stdout, stderr } = await exitAfterFailure({ OPPER_BASE_URL: opper.url, OPPER_API_KEY: 'sk-wrong-key' });
    expect(stdout).toMatch(/shutdown failed: .*API key was rejected/);
    expect(stderr).toMatch(/OPPER_EXPORTER_KEY_REJECTED.*check OPPER_API_KEY/);
    expect(stderr).not.toContain('sk-wrong-key');
  });

  it('npm run demo with a wrong key explains itself instead of crashing', async () => {
    const demo = fileURLToPath(new URL('../../examples/quickstart.mjs', import.meta.url));
    const error = await exitAfterFailureOf(demo, { OPPER_BASE_URL: opper.url, OPPER_API_KEY: 'sk-wrong-key' });
    expect(error.code).toBe(1); // the demo failed to show a trace, and says so
    expect(error.stderr).toMatch(/OPPER_EXPORTER_KEY_REJECTED/);
    expect(error.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(error.stdout).toMatch(/Nothing to show: see the warning above/);
  });

  it('warns once naming OPPER_BASE_URL when it is not a URL, and sends nothing', async () => {
    opper.reset();
    const { stderr } = await exitAfterFailure({ OPPER_BASE_URL: 'api.opper.ai/v2', OPPER_API_KEY: opper.apiKey });
    expect(stderr).toMatch(/OPPER_EXPORTER_BAD_ENVIRONMENT.*OPPER_BASE_URL is not a valid URL: "api.opper.ai\/v2"/);
    expect(stderr.match(/OPPER_EXPORTER_BAD_ENVIRONMENT/g)).toHaveLength(1);
    expect(opper.requests).toHaveLength(0);
  });
});
