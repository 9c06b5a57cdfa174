// `npx opentelemetry-exporter-opper`: the built bin, run as a child process as a user runs it,
// against the local Opper and against servers set up wrong in each way the check must name.
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpperSpanExporter } from '../src/index.js';
import { startLocalOpper, type LocalOpper } from '../src/testing/index.js';

const BIN = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const BRIDGE_BIN = fileURLToPath(new URL('../dist/bridge/bin.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bin to its end with only the given environment (and PATH). */
function run(bin: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const check = (env: Record<string, string>, ...args: string[]) => run(BIN, ['check', ...args], env);

async function localOpper(): Promise<LocalOpper> {
  const opper = await startLocalOpper();
  cleanups.push(() => opper.close());
  return opper;
}

async function listen(server: ReturnType<typeof createNetServer> | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('opentelemetry-exporter-opper check', () => {
  it('exits 0 against a working Opper: the test span is created, ended and read back, and it says where to see it', async () => {
    const opper = await localOpper();
    const result = await check({ OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [stored] = [...opper.spans.values()];
    expect(opper.spans.size).toBe(1);
    expect(stored).toMatchObject({ name: 'opentelemetry-exporter-opper check', type: 'check', end_time: expect.any(String) });
    expect(result.stdout).toContain(`read back: "opentelemetry-exporter-opper check", ended ${stored!.end_time}`);
    expect(result.stdout).toContain(`OK: Opper at ${opper.url} accepts this key`);
    expect(result.stdout).toContain(`${opper.url}/traces/${stored!.trace_id}`);
    expect(result.stdout).not.toContain(opper.apiKey);
    expect(opper.violations).toEqual([]);
  });

  it.each(['k', 'e', 'sk-wrong-0123456789'])(
    'exits 4 when the key (%j) is rejected, with every word of the message intact and never the key',
    async (key) => {
      const opper = await localOpper();
      const result = await check({ OPPER_API_KEY: key, OPPER_BASE_URL: opper.url });
      expect(result.code).toBe(4);
      expect(result.stdout).toContain(`FAIL (key rejected): Opper rejected the API key (HTTP 401) at ${opper.url}. Fix: set OPPER_API_KEY`);
      if (key.length > 1) expect(result.stdout).not.toContain(key);
    },
  );

  it('exits 3 without a key, and names the variable', async () => {
    const result = await check({ OPPER_BASE_URL: 'http://127.0.0.1:9/v2' });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^FAIL \(no key\): OPPER_API_KEY is not set/);
  });

  it('exits 5 for a base URL without /v2, naming the fix', async () => {
    const opper = await localOpper();
    const result = await check({ OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url.replace(/\/v2$/, '') });
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(
      /FAIL \(wrong base URL\): HTTP 404 for POST http:\/\/127\.0\.0\.1:\d+\/spans: the base URL must end in \/v2/,
    );
  });

  it('exits 10 within its timeout when the server takes the connection and never answers', async () => {
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => void sockets.add(socket));
    const port = await listen(server);
    cleanups.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(resolve);
        }),
    );
    const result = await check(
      { OPPER_API_KEY: 'sk-test-0123456789', OPPER_BASE_URL: `http://127.0.0.1:${port}/v2` },
      '--timeout-ms',
      '1500',
    );
    expect(result.code).toBe(10);
    expect(result.stdout).toMatch(/FAIL \(no answer\): no answer from http:\/\/127\.0\.0\.1:\d+\/v2 in time .*Fix: check OPPER_BASE_URL/);
  });

  it('exits 7 for https:// at a plain-http server, naming the http:// URL', async () => {
    const opper = await localOpper();
    const result = await check({ OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url.replace(/^http:/, 'https:') });
    expect(result.code).toBe(7);
    expect(result.stdout).toContain(`use ${opper.url}; else check the port.`);
    expect(result.stdout.trim().split('\n')).toHaveLength(2); // one line for the check, one for the cause
  });

  it("exits 6 for a redirect, 11 for a reply that is not Opper's, 9 for a refused connection", async () => {
    const opper = await localOpper();
    const env = { OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url };
    opper.inject({ status: 301, body: '', headers: { location: `${opper.url.replace('127.0.0.1', 'localhost')}/spans` }, times: 1 });
    expect(await check(env)).toMatchObject({
      code: 6,
      stdout: expect.stringContaining(`set baseUrl to ${opper.url.replace('127.0.0.1', 'localhost')}`),
    });
    opper.inject({ status: 200, body: '<html>Sign in</html>', headers: { 'content-type': 'text/html' }, times: 1 });
    expect(await check(env)).toMatchObject({ code: 11, stdout: expect.stringContaining('answered by something other than Opper') });
    const closed = createNetServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    expect(await check({ OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: `http://127.0.0.1:${port}/v2` })).toMatchObject({ code: 9 });
  });
});

describe('opentelemetry-exporter-opper local', () => {
  it('prints the settings for an app, then each trace the app exports to it, as a tree', async () => {
    const probe = createNetServer();
    const port = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    const child = spawn(process.execPath, [BIN, 'local', '--port', String(port)], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    let stdout = '';
    const seen = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const look = () => {
          const match = pattern.exec(stdout);
          if (match) resolve(match);
        };
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          look();
        });
        look();
        void exited.then(() => reject(new Error(`exited before printing ${pattern}: ${stdout}`)));
      });
    const [, baseUrl, apiKey] = await seen(/export OPPER_BASE_URL=(\S+)\n\s+export OPPER_API_KEY=(\S+)/);
    expect(baseUrl).toBe(`http://127.0.0.1:${port}/v2`);

    // The user's app: any exporter pointed at the printed settings.
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new OpperSpanExporter({ baseUrl, apiKey, transport: 'inline' }))],
    });
    const tracer = provider.getTracer('app');
    tracer.startActiveSpan('checkout', (root) => {
      root.setAttribute('opper.input', 'two books');
      tracer.startSpan('charge card', {}, trace.setSpan(context.active(), root)).end();
      root.end();
    });
    await provider.shutdown();

    await seen(/trace [0-9a-f-]{36}\n└─ checkout \[\w+\] [\d.]+ ms\n +in: +two books\n +└─ charge card /);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/Stopped: \d+ span\(s\) received, 0 contract violation\(s\)\./);
  });
});

describe('--version', () => {
  it.each([
    ['opentelemetry-exporter-opper', BIN],
    ['opper-otlp-bridge', BRIDGE_BIN],
  ])('%s prints the package version', async (_name, bin) => {
    expect(await run(bin, ['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});
