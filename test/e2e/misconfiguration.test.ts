// What the exporter does when something other than Opper answers, or nothing does: each cause is
// named once in a process warning with a code, through a real exporter over real loopback HTTP(S).
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OpperSpanExporter, WarningCode } from '../../src/index.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { micros, opperId, startHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
let warnings: Array<{ code: string; message: string }> = [];

beforeEach(() => {
  warnings = [];
  jest.spyOn(process, 'emitWarning').mockImplementation(((message: string, options?: { code?: string }) => {
    warnings.push({ code: options?.code ?? '', message });
  }) as typeof process.emitWarning);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function exportOnce(exporter: OpperSpanExporter, spans: Parameters<OpperSpanExporter['export']>[0]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Ends `count` root spans on the harness's SDK and returns them. */
function endSpans(h: Harness, count: number, prefix = 'span') {
  for (let i = 0; i < count; i++) h.tracer.startSpan(`${prefix} ${i}`).end();
  return h.ended().slice(-count);
}

/** The warnings emitted with `code`; none of them may show the API key. */
function warned(code: string, apiKey: string): string[] {
  for (const { message } of warnings) expect(message).not.toContain(apiKey);
  return warnings.filter((warning) => warning.code === code).map((warning) => warning.message);
}

/** A spare loopback port with nothing listening on it. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a 2xx that is not Opper’s reply', () => {
  it.each([
    [
      'an HTML page',
      '<html><head><title>Sign in to the Wi-Fi</title></head><body>Accept the terms</body></html>',
      'text/html',
      /HTTP 200 \(text\/html\), body: <html><head><title>Sign in to the Wi-Fi/,
    ],
    ['invalid JSON', '{"status": "ok"', 'application/json', /HTTP 200 \(application\/json\), body: \{"status": "ok"/],
    ['an empty body', '', 'application/json', /HTTP 200 \(application\/json\), empty body/],
  ])('is not delivered when it is %s: the export fails, says what came back, and trickles', async (_what, body, contentType, detail) => {
    harness = await startHarness({ exporter: { exportTimeoutMillis: 2500 }, batch: false });
    const { opper, exporter } = harness;
    opper.inject({ status: 200, body, headers: { 'content-type': contentType } });
    const result = await exportOnce(exporter, endSpans(harness, 20));

    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(
      /20 of 20 span\(s\) not exported \(20 failed, 0 dropped\): 20 not accepted before the export deadline \(not Opper's reply: /,
    );
    expect(result.error?.message).toMatch(detail);
    expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 20 });
    // Retried as transient, and Health turns a lasting one into one request at a time.
    expect(opper.requests.length).toBeGreaterThan(1);
    expect(opper.requests.length).toBeLessThan(20);
    const messages = warned(WarningCode.UnexpectedReply, opper.apiKey);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/v2\/spans was answered by something other than Opper \(HTTP 200/);
    expect(messages[0]).toMatch(/Check baseUrl and proxy settings/);
  });

  it('recovers from a blip of them: every span stored once, create and PATCH', async () => {
    harness = await startHarness({ batch: false });
    const { opper, exporter } = harness;
    const html = { 'content-type': 'text/html' };
    opper.inject({ match: { method: 'POST' }, status: 200, body: '<html>proxy error</html>', headers: html, times: 2 });
    opper.inject({ match: { method: 'PATCH' }, status: 200, body: '', times: 2 });
    const spans = endSpans(harness, 6);
    const result = await exportOnce(exporter, spans);

    expect(result.code).toBe(ExportResultCode.SUCCESS);
    for (const span of spans) {
      expect(opper.creates(opperId(span))).toBe(1);
      expect(opper.spans.get(opperId(span))?.end_time).toBe(micros(span.endTime));
    }
    expect(opper.requests).toHaveLength(12 + 4); // a create and a PATCH each, and the 4 retried
    expect(opper.violations).toEqual([]);
    expect(exporter.getStats()).toMatchObject({ spansExported: 6, spansFailed: 0, requestsRetried: 4 });
  });
});

describe('a base URL that is not Opper’s API', () => {
  it('without /v2: the 404 is named once, with the fix', async () => {
    const opper = await startLocalOpper();
    cleanups.push(() => opper.close());
    const baseUrl = opper.url.replace(/\/v2$/, '');
    harness = await startHarness({ exporter: { exportTimeoutMillis: 2000 }, batch: false });
    const exporter = new OpperSpanExporter({ baseUrl, apiKey: opper.apiKey });
    cleanups.push(() => exporter.shutdown());
    const spans = endSpans(harness, 5);
    const results = [await exportOnce(exporter, spans), await exportOnce(exporter, spans)];

    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED, ExportResultCode.FAILED]);
    expect(results[0]!.error?.message).toMatch(/5 refused by Opper \(HTTP 404/);
    const messages = warned(WarningCode.WrongBaseUrl, opper.apiKey);
    expect(messages).toEqual([
      expect.stringMatching(
        /^OpperSpanExporter: HTTP 404 for POST http:\/\/127\.0\.0\.1:\d+\/spans: the base URL must end in \/v2 \(e\.g\. https:\/\/api\.opper\.ai\/v2\)/,
      ),
    ]);
    expect(opper.spans.size).toBe(0);
  });

  it('that redirects (http to https): names the Location to use as baseUrl, once', async () => {
    harness = await startHarness({ exporter: { exportTimeoutMillis: 2000 }, batch: false });
    const { opper, exporter } = harness;
    const secure = opper.url.replace(/^http:/, 'https:');
    opper.inject({ status: 308, body: '', headers: { location: `${secure}/spans` } });
    const result = await exportOnce(exporter, endSpans(harness, 5));

    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/5 refused by Opper \(HTTP 308\)/);
    const messages = warned(WarningCode.Redirected, opper.apiKey);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`HTTP 308 for POST ${opper.url}/spans redirects to ${secure}/spans: set baseUrl to ${secure}.`);
    expect(opper.requests).toHaveLength(5); // no redirect followed, nothing retried
  });
});

describe('an https server whose certificate Node does not trust', () => {
  it('stops the export at the first request, names NODE_EXTRA_CA_CERTS once, and probes once per export', async () => {
    const fixture = new URL('../fixtures/tls/', import.meta.url);
    const server: HttpsServer = createHttpsServer({
      cert: readFileSync(new URL('test-only-self-signed.crt', fixture)),
      key: readFileSync(new URL('test-only-self-signed.key', fixture)),
    });
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    const apiKey = 'sk-test-tls-0123456789';
    harness = await startHarness({ batch: false });
    const exporter = new OpperSpanExporter({ baseUrl: `https://127.0.0.1:${port}/v2`, apiKey, exportTimeoutMillis: 10_000 });
    cleanups.push(() => exporter.shutdown());

    const first = await exportOnce(exporter, endSpans(harness, 20, 'first'));
    expect(first.code).toBe(ExportResultCode.FAILED);
    expect(first.error?.message).toMatch(
      /20 of 20 span\(s\) not exported \(1 failed, 19 dropped\): 20 not sent: Opper's TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/,
    );
    expect(connections).toBe(1);
    const second = await exportOnce(exporter, endSpans(harness, 20, 'second'));
    expect(second.code).toBe(ExportResultCode.FAILED);
    expect(connections).toBe(2);
    expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 2, spansDropped: 38, requests: 2, requestsRetried: 0 });
    const messages = warned(WarningCode.TlsUntrusted, apiKey);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/the TLS certificate of https:\/\/127\.0\.0\.1:\d+\/v2 is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(messages[0]).toContain('NODE_EXTRA_CA_CERTS=/path/to/ca.pem');
  });
});

describe('nothing listening', () => {
  it('keeps retrying a refused connection, says so once, and delivers once Opper is up', async () => {
    const port = await freePort();
    const apiKey = 'sk-test-refused-0123456789';
    harness = await startHarness({ batch: false });
    const exporter = new OpperSpanExporter({ baseUrl: `http://127.0.0.1:${port}/v2`, apiKey, exportTimeoutMillis: 1500 });
    cleanups.push(() => exporter.shutdown());
    const spans = endSpans(harness, 5);

    const down = await exportOnce(exporter, spans);
    expect(down.code).toBe(ExportResultCode.FAILED);
    expect(down.error?.message).toMatch(/5 not accepted before the export deadline \(ECONNREFUSED/);
    expect(exporter.getStats().requestsRetried).toBeGreaterThan(0);
    const messages = warned(WarningCode.Unreachable, apiKey);
    expect(messages).toEqual([
      expect.stringMatching(
        /^OpperSpanExporter: cannot reach http:\/\/127\.0\.0\.1:\d+\/v2 \(ECONNREFUSED: .*\)\. Check baseUrl, DNS .*still retrying\.$/,
      ),
    ]);

    const opper: LocalOpper = await startLocalOpper({ port, apiKey });
    cleanups.push(() => opper.close());
    // The failures so far may have started the shared outage pause (at most 5 s): exports fail at
    // once until it ends, then the next probe succeeds.
    let up: ExportResult | undefined;
    for (let i = 0; i < 20 && up?.code !== ExportResultCode.SUCCESS; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      up = await exportOnce(exporter, spans);
    }
    expect(up?.code).toBe(ExportResultCode.SUCCESS);
    expect(opper.spans.size).toBe(5);
    expect(warned(WarningCode.Unreachable, apiKey)).toHaveLength(1);
  });

  it('names a host that does not resolve', async () => {
    const apiKey = 'sk-test-dns-0123456789';
    harness = await startHarness({ batch: false });
    // The warning needs the lookup's answer before the export deadline (the request is cut off at
    // it): the name server's time, and the thread pool's on a loaded machine, not this test's.
    // The deadline is not what is asserted, so it leaves room for both.
    const exporter = new OpperSpanExporter({ baseUrl: 'http://opper.invalid/v2', apiKey, exportTimeoutMillis: 5000 });
    cleanups.push(() => exporter.shutdown());
    const result = await exportOnce(exporter, endSpans(harness, 2));

    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(warned(WarningCode.Unreachable, apiKey)).toEqual([
      expect.stringMatching(/cannot reach http:\/\/opper\.invalid\/v2 \((ENOTFOUND|EAI_AGAIN): /),
    ]);
  });
});

describe('failures that used to pass without a word', () => {
  it('a server that takes the connection and never answers: warned once, with the fix, before the export calls back', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = createNetServer((socket) => void sockets.add(socket)); // reads nothing, answers nothing
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as { port: number };
    const apiKey = 'sk-test-silent-0123456789';
    harness = await startHarness({ batch: false });
    const exporter = new OpperSpanExporter({
      baseUrl: `http://127.0.0.1:${port}/v2`,
      apiKey,
      timeoutMillis: 1000,
      exportTimeoutMillis: 8000,
    });
    cleanups.push(() => exporter.shutdown());
    const spans = endSpans(harness, 3);

    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.FAILED);
    const messages = warned(WarningCode.NoAnswer, apiKey);
    expect(messages).toEqual([
      expect.stringMatching(
        /^OpperSpanExporter: no answer from http:\/\/127\.0\.0\.1:\d+\/v2 within the request timeout \((ETIMEDOUT|UND_ERR_\w+_TIMEOUT): .*Check baseUrl/,
      ),
    ]);
    await exportOnce(exporter, spans);
    expect(warned(WarningCode.NoAnswer, apiKey)).toHaveLength(1); // once per cause
  });

  it('https:// pointing at a plain-http server: the TLS handshake failure is warned once, naming the http:// URL to use', async () => {
    const opper = await startLocalOpper();
    cleanups.push(() => opper.close());
    const secure = opper.url.replace(/^http:/, 'https:');
    harness = await startHarness({ batch: false });
    const exporter = new OpperSpanExporter({ baseUrl: secure, apiKey: opper.apiKey, exportTimeoutMillis: 8000 });
    cleanups.push(() => exporter.shutdown());

    const result = await exportOnce(exporter, endSpans(harness, 2));
    expect(result.code).toBe(ExportResultCode.FAILED);
    const messages = warned(WarningCode.TlsHandshake, opper.apiKey);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /^OpperSpanExporter: the TLS handshake with https:\/\/127\.0\.0\.1:\d+\/v2 failed \(\w+: .*wrong version number/i,
    );
    expect(messages[0]).toContain(`use ${opper.url};`);
  });
});

describe('when it works', () => {
  it('says so at diag DEBUG, with counts and never span data', async () => {
    const lines: string[] = [];
    const collect = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    diag.setLogger({ debug: collect, info: collect, warn: collect, error: collect, verbose: collect }, DiagLogLevel.DEBUG);
    cleanups.push(() => diag.disable());
    harness = await startHarness({ batch: false });
    const spans = endSpans(harness, 3, 'secret-name');
    expect((await exportOnce(harness.exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    expect(lines).toContainEqual(expect.stringMatching(/^OpperSpanExporter: exported 3 span\(s\); \d+ request\(s\) so far$/));
    expect(lines.join('\n')).not.toContain('secret-name');
  });
});
