// Delivery through a forward proxy, over real loopback HTTP(S): a counting proxy in front of the
// local Opper, reached as `opper.test`, a name only the proxy resolves: a request that bypassed the
// proxy could not arrive. Environment cases run in a child process (config is read at construction).
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WarningCode } from '../../src/diagnostics.js';
import { OpperSpanExporter, type OpperExporterOptions } from '../../src/index.js';
import { startLocalOpper } from '../../src/testing/index.js';
import { deadPort, startCountingProxy, startTlsFront, TEST_CA_FILE } from './proxy-helpers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = fileURLToPath(new URL('../fixtures/proxy-app.mjs', import.meta.url));
const byName = (url: string) => url.replace('127.0.0.1', 'opper.test');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function opperAndProxy(proxyOptions: { auth?: string } = {}) {
  const opper = await startLocalOpper();
  const proxy = await startCountingProxy(proxyOptions);
  cleanups.push(
    () => opper.close(),
    () => proxy.close(),
  );
  return { opper, proxy };
}

/** Ends `count` spans through a real SDK's BatchSpanProcessor and this exporter; returns the export results. */
async function exportSpans(options: OpperExporterOptions, count: number) {
  const exporter = new OpperSpanExporter(options);
  const results: number[] = [];
  const errors: string[] = [];
  const original = exporter.export.bind(exporter);
  exporter.export = (spans, done) =>
    original(spans, (result) => {
      results.push(result.code);
      if (result.error) errors.push(result.error.message);
      done(result);
    });
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10, maxExportBatchSize: 512, maxQueueSize: 4096 })],
  });
  const tracer = provider.getTracer('proxy-test');
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
  await provider.shutdown().catch(() => undefined); // the SDK rejects when an export failed
  return { exporter, results, errors };
}

describe('the proxy option', () => {
  it('carries every request, through at most `concurrency` keep-alive tunnels', async () => {
    const { opper, proxy } = await opperAndProxy();
    const { exporter } = await exportSpans({ baseUrl: byName(opper.url), apiKey: opper.apiKey, proxy: proxy.url, concurrency: 4 }, 60);
    expect(exporter.getStats()).toMatchObject({ spansExported: 60, spansFailed: 0 });
    expect(opper.spans.size).toBe(60);
    expect(opper.violations).toEqual([]);
    // undici tunnels http targets too: every request went through a CONNECT tunnel, reused.
    expect(proxy.requests).toBe(0);
    expect(proxy.connects).toBeGreaterThanOrEqual(1);
    expect(proxy.connects).toBeLessThanOrEqual(4);
  });

  it('decodes credentials in the URL; a 407 warns once with the proxy host and never the password', async () => {
    const { opper, proxy } = await opperAndProxy({ auth: 'user:p@ss w' });
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const base = { baseUrl: byName(opper.url), apiKey: opper.apiKey, exportTimeoutMillis: 1000 };
      const good = await exportSpans({ ...base, proxy: `http://user:p%40ss%20w@127.0.0.1:${proxy.port}` }, 3);
      expect(good.exporter.getStats().spansExported).toBe(3);
      expect(emitWarning).not.toHaveBeenCalled();

      const wrong = await exportSpans({ ...base, proxy: `http://user:hunter2@127.0.0.1:${proxy.port}` }, 2);
      const none = await exportSpans({ ...base, proxy: proxy.url }, 2);
      expect([wrong.results, none.results]).toEqual([[ExportResultCode.FAILED], [ExportResultCode.FAILED]]);
      expect(wrong.exporter.getStats().spansFailed + none.exporter.getStats().spansFailed).toBe(4);
      expect(emitWarning.mock.calls).toEqual([
        [
          `OpperSpanExporter: the proxy ${proxy.url} (from the proxy option) rejected the credentials in the proxy URL (HTTP 407); spans are not reaching Opper.`,
          { code: WarningCode.ProxyFailed, type: 'OpperExporterWarning' },
        ],
        [
          expect.stringMatching(/the proxy http:\/\/127\.0\.0\.1:\d+ \(from the proxy option\) asks for credentials \(HTTP 407\)/),
          { code: WarningCode.ProxyFailed, type: 'OpperExporterWarning' },
        ],
      ]);
      expect(proxy.credentials).toContain('user:p@ss w');
      expect(opper.spans.size).toBe(3);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('that refuses connections fails the spans (counted) with one warning naming it, and no crash', async () => {
    const opper = await startLocalOpper();
    cleanups.push(() => opper.close());
    const port = await deadPort();
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const options = {
        baseUrl: opper.url,
        apiKey: opper.apiKey,
        exportTimeoutMillis: 1000,
        proxy: `http://user:hunter2@127.0.0.1:${port}`,
      };
      const { exporter, results, errors } = await exportSpans(options, 5);
      expect(results).toEqual([ExportResultCode.FAILED]);
      expect(errors).toEqual([expect.stringContaining(`ERR_PROXY: the proxy http://127.0.0.1:${port} refused the connection`)]);
      expect(errors[0]).not.toContain('hunter2');
      expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 5 });
      expect(emitWarning).toHaveBeenCalledTimes(1);
      expect(emitWarning).toHaveBeenCalledWith(
        `OpperSpanExporter: the proxy http://127.0.0.1:${port} (from the proxy option) refused the connection (ECONNREFUSED); spans are not reaching Opper.`,
        { code: WarningCode.ProxyFailed, type: 'OpperExporterWarning' },
      );
      expect(opper.requests).toHaveLength(0);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('the proxy from the environment (in a child process)', () => {
  interface AppResult {
    spansExported: number;
    spansFailed: number;
    clientLoaded: boolean;
    warnings: { code: string; message: string }[];
  }
  /** Runs test/fixtures/proxy-app.mjs with exactly `env` (plus PATH) and these exporter options. */
  async function runApp(env: Record<string, string>, options: Record<string, unknown> = {}): Promise<AppResult> {
    const { stdout } = await run(process.execPath, [APP, JSON.stringify(options)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as AppResult;
  }

  it('HTTP_PROXY carries an http base URL; the HTTP client loads only on the thread that sends', async () => {
    const { opper, proxy } = await opperAndProxy();
    const direct = await runApp({ OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url }, { count: 2 });
    expect(direct).toMatchObject({ spansExported: 2, clientLoaded: false, warnings: [] });
    const proxiedEnv = { OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: byName(opper.url), HTTP_PROXY: proxy.url };
    // Loaded by the thread that makes the requests: the app's with the inline transport...
    const inline = await runApp(proxiedEnv, { count: 20, transport: 'inline' });
    expect(inline).toMatchObject({ spansExported: 20, spansFailed: 0, clientLoaded: true, warnings: [] });
    // ...and only the worker's with the worker transport (the default).
    const worker = await runApp(proxiedEnv, { count: 20 });
    expect(worker).toMatchObject({ spansExported: 20, spansFailed: 0, clientLoaded: false, warnings: [] });
    expect(proxy.connects).toBeGreaterThanOrEqual(2);
    expect(opper.spans.size).toBe(42);
  });

  it('https_proxy with credentials tunnels an https base URL with CONNECT, keep-alive, bounded by concurrency', async () => {
    const { opper, proxy } = await opperAndProxy({ auth: 'me:s3cret' });
    const tls = await startTlsFront(Number(new URL(opper.url).port));
    cleanups.push(() => tls.close());
    const env = {
      OPPER_API_KEY: opper.apiKey,
      OPPER_BASE_URL: `https://opper.test:${tls.port}/v2`,
      https_proxy: `http://me:s3cret@127.0.0.1:${proxy.port}`,
      NODE_EXTRA_CA_CERTS: fileURLToPath(TEST_CA_FILE),
    };
    const result = await runApp(env, { count: 60, concurrency: 4 });
    expect(result).toMatchObject({ spansExported: 60, spansFailed: 0, warnings: [] });
    expect(opper.spans.size).toBe(60);
    expect(proxy.connects).toBeGreaterThanOrEqual(1);
    expect(proxy.connects).toBeLessThanOrEqual(4);
    expect(proxy.credentials.every((given) => given === 'me:s3cret')).toBe(true);
  });

  it('NO_PROXY naming the host bypasses it; the proxy option overrides the environment, and false turns it off', async () => {
    const { opper, proxy } = await opperAndProxy();
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const env = { OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: byName(opper.url) };
    // Bypassed: the app resolves opper.test itself and fails, without touching the proxy.
    const bypassed = await runApp({ ...env, HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,.test' }, { exportTimeoutMillis: 500 });
    expect(bypassed).toMatchObject({ spansExported: 0, spansFailed: 1, clientLoaded: false });
    expect(proxy.connects + proxy.requests).toBe(0);
    const overridden = await runApp({ ...env, HTTP_PROXY: dead }, { proxy: proxy.url, count: 3 });
    expect(overridden).toMatchObject({ spansExported: 3, warnings: [] });
    expect(proxy.connects).toBeGreaterThanOrEqual(1);
    const off = await runApp({ ...env, OPPER_BASE_URL: opper.url, http_proxy: dead, HTTP_PROXY: dead }, { proxy: false, count: 2 });
    expect(off).toMatchObject({ spansExported: 2, clientLoaded: false, warnings: [] });
    expect(opper.spans.size).toBe(5);
  });

  it('an unusable proxy URL warns naming the variable, without its credentials, and sends nothing', async () => {
    const opper = await startLocalOpper();
    cleanups.push(() => opper.close());
    const result = await runApp({
      OPPER_API_KEY: opper.apiKey,
      OPPER_BASE_URL: byName(opper.url),
      HTTP_PROXY: 'http://u:hunter2@[proxy:3128',
    });
    expect(result).toMatchObject({ spansExported: 0, clientLoaded: false });
    expect(result.warnings).toEqual([
      {
        code: WarningCode.BadEnvironment,
        message: 'OpperSpanExporter: HTTP_PROXY is not a valid proxy URL: "http://[REDACTED]@[proxy:3128"; spans will not be exported.',
      },
    ]);
    expect(opper.requests).toHaveLength(0);
  });
});
