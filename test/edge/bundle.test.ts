/**
 * The fetch build (src/edge.ts) as the bundlers of Workers and Vercel Edge see the package: picked
 * by its export conditions, with no Node module in the bundle (of ours or of our dependencies:
 * @opentelemetry/core's browser platform, not its Node one), and running where there is no
 * process, setImmediate or Node HTTP stack. The real runtimes (workerd, edge-runtime) run it in
 * test/compat/runtimes.mjs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build, type Plugin } from 'esbuild';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const NODE_BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})$`);

// What a bundle for these runtimes must not hold: Node's platform code of @opentelemetry/*, the
// Node HTTP stack, and the Node build's own modules.
const NODE_ONLY = [
  /\/platform\/node\//,
  /node_modules\/(got|undici|hpagent)\//,
  /^dist\/(index|exporter-node|engine|transport\/(http-client|proxy|worker|worker-delivery))\.js$/,
];

/** Bundles `contents` from the repo root (the package refers to itself by name, as an app would). */
async function bundle(contents: string, conditions: string[], format: 'esm' | 'iife' = 'esm') {
  const builtins: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: NODE_BUILTIN }, (args) => {
        builtins.push(`${args.path} (from ${args.importer.replace(repo, '')})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    stdin: { contents, resolveDir: repo, loader: 'js' },
    bundle: true,
    write: false,
    metafile: true,
    format,
    globalName: format === 'iife' ? 'app' : undefined,
    platform: 'browser',
    conditions,
    plugins: [recordBuiltins],
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  return {
    code: result.outputFiles[0]!.text,
    inputs,
    builtins,
    nodeOnly: inputs.filter((input) => NODE_ONLY.some((pattern) => pattern.test(input))),
  };
}

const APP = `
export { OpperSpanExporter } from 'opentelemetry-exporter-opper';
export { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
`;

describe.each([
  ['Cloudflare Workers (wrangler)', ['workerd', 'worker', 'browser']],
  ['Vercel Edge (Next.js: edge-light, worker)', ['edge-light', 'worker', 'browser']],
])('a bundle for %s', (_target, conditions) => {
  it("holds the fetch build and no Node module, ours or our dependencies'", async () => {
    const { inputs, builtins, nodeOnly } = await bundle(APP, conditions);
    expect(inputs).toContain('dist/edge.js');
    expect(inputs).toContain('dist/transport/fetch-client.js');
    expect(inputs.filter((input) => input.includes('@opentelemetry/core/build/esm/platform/browser/'))).not.toEqual([]);
    expect(builtins).toEqual([]);
    expect(nodeOnly).toEqual([]);
  });
});

describe('the fetch build, run where there is no Node', () => {
  let opper: LocalOpper;
  let code: string;

  beforeAll(async () => {
    opper = await startLocalOpper();
    ({ code } = await bundle(APP, ['workerd', 'worker', 'browser'], 'iife'));
  });
  afterAll(() => opper.close());

  /** A global scope like a Worker's: fetch, timers, URL, console; no process, setImmediate or require. */
  function isolate(warned: string[]) {
    const console = { warn: (...args: unknown[]) => warned.push(args.join(' ')), error() {}, log() {}, info() {}, debug() {} };
    const context = vm.createContext({
      fetch,
      AbortSignal,
      Headers,
      Request,
      Response,
      URL,
      TextEncoder,
      TextDecoder,
      setTimeout,
      clearTimeout,
      queueMicrotask,
      performance,
      crypto,
      console,
    });
    vm.runInContext(code, context);
    expect(vm.runInContext('typeof process + typeof setImmediate + typeof require', context)).toBe('undefinedundefinedundefined');
    return context.app as {
      OpperSpanExporter: new (options: object) => unknown;
      BasicTracerProvider: new (options: object) => Provider;
      BatchSpanProcessor: new (exporter: unknown) => unknown;
    };
  }

  interface Provider {
    getTracer(name: string): { startSpan(name: string, options?: object): { end(): void; spanContext(): { traceId: string } } };
    forceFlush(): Promise<void>;
    shutdown(): Promise<void>;
  }

  it('delivers spans over fetch, and their end, by the time forceFlush resolves', async () => {
    opper.reset();
    const warned: string[] = [];
    const app = isolate(warned);
    const exporter = new app.OpperSpanExporter({ apiKey: opper.apiKey, baseUrl: opper.url });
    const provider = new app.BasicTracerProvider({ spanProcessors: [new app.BatchSpanProcessor(exporter)] });
    const tracer = provider.getTracer('isolate');
    for (const name of ['one', 'two', 'three']) tracer.startSpan(name, { attributes: { 'gen_ai.request.model': 'gpt-4o-mini' } }).end();
    await provider.forceFlush();
    expect([...opper.spans.values()].map((span) => [span.name, span.type, span.end_time !== null]).sort()).toEqual([
      ['one', 'llm', true],
      ['three', 'llm', true],
      ['two', 'llm', true],
    ]);
    expect(opper.requests.every((request) => String(request.headers['user-agent']).startsWith('opentelemetry-exporter-opper/'))).toBe(true);
    expect(warned).toEqual([]);
    await provider.shutdown();
  });

  it('says a rejected key once on the console, with its code, never the key', async () => {
    opper.reset();
    const warned: string[] = [];
    const app = isolate(warned);
    const provider = new app.BasicTracerProvider({
      spanProcessors: [new app.BatchSpanProcessor(new app.OpperSpanExporter({ apiKey: 'not-the-key', baseUrl: opper.url }))],
    });
    for (let i = 0; i < 2; i++) {
      provider.getTracer('isolate').startSpan(`span ${i}`).end();
      // A failed export rejects the flush (as on Node); the warning says why.
      expect(
        await provider.forceFlush().then(
          () => 'flushed',
          () => 'rejected',
        ),
      ).toBe('rejected');
    }
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^\(OPPER_EXPORTER_KEY_REJECTED\) OpperSpanExporter: Opper rejected the API key \(HTTP 401\)/);
    expect(warned[0]).not.toContain('not-the-key');
    expect(opper.spans.size).toBe(0);
    await provider.shutdown();
  });

  it('retries a refused connection until the deadline, and says once on the console that Opper is unreachable', async () => {
    const gone = await startLocalOpper();
    await gone.close(); // nothing listens on its port now
    const warned: string[] = [];
    const app = isolate(warned);
    const exporter = new app.OpperSpanExporter({ apiKey: 'k', baseUrl: gone.url, exportTimeoutMillis: 1500 });
    const provider = new app.BasicTracerProvider({ spanProcessors: [new app.BatchSpanProcessor(exporter)] });
    provider.getTracer('isolate').startSpan('lost').end();
    expect(
      await provider.forceFlush().then(
        () => 'flushed',
        () => 'rejected',
      ),
    ).toBe('rejected');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^\(OPPER_EXPORTER_UNREACHABLE\) OpperSpanExporter: .*ECONNREFUSED/);
    expect((exporter as { getStats(): { requests: number; spansFailed: number } }).getStats()).toMatchObject({ spansFailed: 1 });
    expect((exporter as { getStats(): { requests: number } }).getStats().requests).toBeGreaterThan(1);
  });
});
