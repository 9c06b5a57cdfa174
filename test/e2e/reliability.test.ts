// Delivery on Opper's bad days, through a real SDK and BatchSpanProcessor over loopback.
// Set RELIABILITY_REPORT=<file> to append each fault test's figures (sent, stored, duplicated,
// time to drain) to that file as JSON lines.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import { DiagLogLevel, diag, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { WarningCode } from '../../src/index.js';
import { until } from '../testing/helpers.js';
import { childOf, micros, opperId, startHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  diag.disable();
});

/** Ends `count` spans as small traces: a root with two children, children ending first. */
function makeTraces(h: Harness, count: number, prefix = 'span'): void {
  for (let made = 0; made < count; ) {
    const root = h.tracer.startSpan(`${prefix} ${made++}`);
    const children: Span[] = [];
    while (children.length < 2 && made < count) children.push(childOf(h.tracer, `${prefix} ${made++}`, root));
    for (const child of children) child.end();
    root.end();
  }
}

/** Every ended span stored exactly once, with its end state, and nothing the server refused. */
function expectAllStoredOnce(h: Harness): void {
  const ended = h.ended();
  expect(h.opper.spans.size).toBe(ended.length);
  for (const span of ended) {
    const id = opperId(span);
    expect(h.opper.creates(id)).toBe(1);
    expect(h.opper.spans.get(id)?.end_time).toBe(micros(span.endTime));
  }
  expect(h.opper.violations).toEqual([]);
}

function report(test: string, h: Harness, startedAt: number): void {
  if (!process.env.RELIABILITY_REPORT) return;
  const ended = h.ended();
  const duplicated = ended.filter((span) => h.opper.creates(opperId(span)) > 1).length;
  const line = {
    test,
    sent: ended.length,
    stored: h.opper.spans.size,
    duplicated,
    drainMs: Date.now() - startedAt,
    ...h.exporter.getStats(),
  };
  appendFileSync(process.env.RELIABILITY_REPORT, `${JSON.stringify(line)}\n`);
}

function exportOnce(h: Harness, spans = h.ended()): Promise<ExportResult> {
  return new Promise((resolve) => h.exporter.export(spans, resolve));
}

describe('transient faults', () => {
  it('stores every span exactly once under 20% error answers and 5% connections cut after storing', async () => {
    harness = await startHarness({ server: { seed: 7 } });
    const { opper } = harness;
    opper.inject({ drop: 'after', probability: 0.05 });
    // Four rules of ~5.3% each, tried in turn: about 20% of the requests that were not cut.
    for (const status of [500, 502, 503]) opper.inject({ status, probability: 0.053 });
    opper.inject({ status: 429, retryAfter: 1, probability: 0.053 });
    const startedAt = Date.now();
    makeTraces(harness, 300);
    await harness.flush();
    report('20% errors + 5% cut after store', harness, startedAt);

    expectAllStoredOnce(harness);
    const faults = opper.requests.filter((r) => r.fault !== undefined);
    expect(faults.filter((r) => r.fault === 'drop:after').length).toBeGreaterThan(5);
    expect(faults.filter((r) => r.fault?.startsWith('status:429')).length).toBeGreaterThan(5);
    // A create whose reply was cut is retried, meets 409, and goes on to its PATCH.
    expect(opper.requests.some((r) => r.method === 'POST' && r.status === 409)).toBe(true);
    expect(harness.exporter.getStats()).toMatchObject({ spansExported: 300, spansFailed: 0, spansDropped: 0 });
    expect(harness.exporter.getStats().requestsRetried).toBe(faults.length);
  });

  it('delivers every span ended during a 10 s outage once Opper recovers', async () => {
    harness = await startHarness();
    const { opper, exporter } = harness;
    // Ended by the test after the last wave (about 8 s in, 10 s on a loaded machine): a window of a
    // fixed 10 s could close before a loaded machine had ended the eight waves.
    opper.outage(10 * 60_000);
    const startedAt = Date.now();
    for (let wave = 0; wave < 8; wave++) {
      makeTraces(harness, 10, `wave ${wave}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(opper.spans.size).toBe(0); // still down
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 10_000 - Date.now())));
    opper.clearFaults();
    await harness.flush();
    report('10 s outage (503) then recovery', harness, startedAt);

    expectAllStoredOnce(harness);
    // Once Opper is seen to be down, one probe at a time on a shared backoff, not a retry per span.
    const duringOutage = opper.requests.filter((r) => r.fault === 'outage:503').length;
    expect(duringOutage).toBeGreaterThan(0);
    expect(duringOutage).toBeLessThan(40);
    expect(exporter.getStats()).toMatchObject({ spansExported: 80, spansFailed: 0 });
  });

  it('retries a PATCH that meets 404 right after its create succeeded', async () => {
    harness = await startHarness();
    const { opper } = harness;
    opper.inject({ match: { method: 'PATCH' }, status: 404, times: 2 });
    makeTraces(harness, 3);
    await harness.flush();
    expectAllStoredOnce(harness);
    expect(opper.requests.filter((r) => r.fault === 'status:404')).toHaveLength(2);
  });
});

describe('Retry-After', () => {
  it('waits as asked when the deadline allows, and gives up at once when it does not', async () => {
    harness = await startHarness({ exporter: { exportTimeoutMillis: 5000 }, batch: false });
    const { opper } = harness;
    opper.inject({ status: 503, retryAfter: 1, times: 1 });
    makeTraces(harness, 1);
    const scheduled: string[] = [];
    diag.setLogger(
      { error() {}, warn() {}, info() {}, verbose() {}, debug: (message: string) => scheduled.push(message) },
      DiagLogLevel.DEBUG,
    );
    expect((await exportOnce(harness)).code).toBe(ExportResultCode.SUCCESS);
    expect(opper.requests.map((r) => r.status)).toEqual([503, 200, 200]);
    // The retry was scheduled as asked (1 s), not on the 100–200 ms the backoff alone would give.
    const retries = scheduled.filter((line) => line.startsWith('OpperSpanExporter:') && line.includes(' failed ('));
    expect(retries).toEqual([expect.stringMatching(/POST \/spans failed \(HTTP 503: .*\); retry 1 in 1000 ms$/)]);

    opper.reset();
    opper.inject({ status: 429, retryAfter: 60 });
    const result = await exportOnce(harness);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/not accepted before the export deadline \(HTTP 429/);
    expect(opper.requests).toHaveLength(1); // no retry that could only end past the deadline
  });
});

describe('Retry-After longer than any wait', () => {
  it('keeps probing through an outage that asks for an hour, delivers everything soon after, and says so once', async () => {
    harness = await startHarness();
    const { opper, exporter } = harness;
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const cappedWarnings = () =>
        emitWarning.mock.calls.filter((call) => (call[1] as { code?: string } | undefined)?.code === WarningCode.RetryAfterCapped);
      // A short maintenance window whose page says "come back in an hour". It ends when the test
      // ends it, about 1 s after the exporter was first told so: a window timed from here could
      // be over before a loaded machine's first export reached it.
      opper.outage(10 * 60_000, { retryAfter: 3600 });
      const startedAt = Date.now();
      makeTraces(harness, 10, 'wave 0');
      await until(() => cappedWarnings().length > 0, 'the first Retry-After: 3600', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      opper.clearFaults();
      for (let wave = 1; wave < 5; wave++) {
        makeTraces(harness, 10, `wave ${wave}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      // Opper has been healthy for 4 s: everything lands within a bounded wait, not in an hour.
      await opper.waitForSpans((spans) => spans.size === 50, 15_000);
      await harness.flush();
      report('1 s outage answering Retry-After: 3600', harness, startedAt);

      expectAllStoredOnce(harness);
      expect(exporter.getStats()).toMatchObject({ spansExported: 50, spansFailed: 0, spansDropped: 0 });
      // Still a trickle while it was down: the capped wait is shared, not a retry storm.
      expect(opper.requests.filter((r) => r.fault === 'outage:503').length).toBeLessThan(20);
      const capped = cappedWarnings();
      expect(capped).toHaveLength(1);
      expect(capped[0]![0]).toMatch(/Opper asked to wait 3600 s \(Retry-After: 3600\); retrying in at most 5 s/);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('permanent failures', () => {
  it('fails only the refused span, with the server message, and delivers the rest', async () => {
    harness = await startHarness({ batch: false });
    const { opper } = harness;
    opper.inject({
      match: { method: 'POST' },
      status: 422,
      times: 1,
      body: { type: 'ValidationError', message: 'name is not allowed', detail: null },
    });
    makeTraces(harness, 6);
    const result = await exportOnce(harness);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(
      /1 of 6 span\(s\) not exported \(1 failed, 0 dropped\): 1 refused by Opper \(HTTP 422: name is not allowed\)/,
    );
    expect(opper.spans.size).toBe(5);
    expect(harness.exporter.getStats()).toMatchObject({ spansExported: 5, spansFailed: 1 });
  });

  it('sends a span refused with 413 once more, cut hard, keeping its identity and timing', async () => {
    harness = await startHarness({ server: { maxBodyBytes: 64 * 1024 } });
    const { opper, tracer } = harness;
    const span = tracer.startSpan('big');
    span.setAttributes({ 'app.payload': 'x'.repeat(300_000), 'app.small': 'kept' });
    span.end();
    await harness.flush();
    const [ended] = harness.ended();
    const stored = opper.spans.get(opperId(ended!));
    expect(stored).toMatchObject({ name: 'big', start_time: micros(ended!.startTime), end_time: micros(ended!.endTime) });
    expect(stored!.meta).toMatchObject({ 'opper.truncated': true });
    expect(opper.requests.filter((r) => r.status === 413)).toHaveLength(1);
    expect(opper.violations.map((v) => v.rule)).toEqual(['body-too-large']); // the first, full-size try
  });
});

describe('a rejected API key', () => {
  it('stops at once, says why once, never shows the key, and probes with one request per export', async () => {
    const secret = 'sk-wrong-0123456789abcdef';
    harness = await startHarness({ exporter: { apiKey: secret }, batch: false });
    const { opper, exporter } = harness;
    const logged: string[] = [];
    const collect = (...args: unknown[]) => logged.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    diag.setLogger({ error: collect, warn: collect, info: collect, debug: collect, verbose: collect }, DiagLogLevel.ALL);
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    // A proxy's error page may echo the request's headers: the key must not travel on from there.
    opper.inject({ status: 401, times: 1, body: { type: 'Unauthorized', message: `bad header: Bearer ${secret}` } });
    try {
      const results: ExportResult[] = [];
      for (let i = 0; i < 3; i++) {
        makeTraces(harness, 20, `batch ${i}`);
        results.push(await exportOnce(harness, harness.ended().slice(i * 20, i * 20 + 20)));
      }
      expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED, ExportResultCode.FAILED, ExportResultCode.FAILED]);
      expect(results[0]!.error?.message).toMatch(/API key was rejected \(HTTP 401: bad header: Bearer \[REDACTED\]\)/);
      // The message splits the spans the way getStats() counts them.
      expect(results[0]!.error?.message).toMatch(/20 of 20 span\(s\) not exported \(1 failed, 19 dropped\)/);
      // One probe request per export, not one per span.
      expect(opper.requests).toHaveLength(3);
      expect(opper.requests.every((r) => r.status === 401)).toBe(true);
      expect(emitWarning).toHaveBeenCalledTimes(1);
      const [message, options] = emitWarning.mock.calls[0] as [string, { code: string }];
      expect(options.code).toBe(WarningCode.KeyRejected);
      expect(message).toMatch(/rejected the API key \(HTTP 401\).*check the apiKey option\./);
      const everything = [...logged, message, ...results.map((r) => r.error?.message ?? '')].join('\n');
      expect(everything).not.toContain(secret);
      expect(logged.length).toBeGreaterThan(0);
      expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 3, spansDropped: 57 });
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('a server that never answers', () => {
  it('fails the export by its deadline and shuts down without hanging', async () => {
    harness = await startHarness({ exporter: { timeoutMillis: 300, exportTimeoutMillis: 1500 }, batch: false });
    const { opper, exporter } = harness;
    opper.inject({ hang: true });
    makeTraces(harness, 5);
    const result = await exportOnce(harness);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(
      /5 of 5 span\(s\) not exported \(5 failed, 0 dropped\): 5 not accepted before the export deadline \(.*ETIMEDOUT/,
    );
    await exporter.shutdown(); // resolves: nothing is left in flight
    expect(exporter.getStats()).toMatchObject({ spansExported: 0, spansFailed: 5, spansDropped: 0 });
    // While no request has been answered, one at a time: at most a deadline's worth of timeouts.
    expect(opper.requests.length).toBeLessThanOrEqual(1500 / 300 + 1);
  });
});

describe('bounded memory', () => {
  it('during an outage, fails at once an export that would hold more than maxPendingSpans, without a request', async () => {
    // A deadline long enough that the first export is still probing when the second comes, even on
    // a loaded machine (its spans give up once their next wait would pass it, well before).
    harness = await startHarness({ exporter: { maxPendingSpans: 15, exportTimeoutMillis: 25_000 }, batch: false });
    const { opper, exporter } = harness;
    opper.outage(60_000);
    makeTraces(harness, 20);
    const first = exportOnce(harness, harness.ended().slice(0, 10));
    // Eight failures in a row: Opper is down (while it is healthy, the export would wait for room).
    // Until the key is proven, requests go one at a time, so the ninth request shows that the
    // exporter has taken in the eighth answer; the server seeing eight does not (worker transport).
    await until(() => opper.requests.length >= 9, 'nine failed requests');
    const sent = opper.requests.length;
    const second = await exportOnce(harness, harness.ended().slice(10));
    expect(second.code).toBe(ExportResultCode.FAILED);
    expect(second.error?.message).toMatch(/10 spans are still being delivered \(maxPendingSpans 15\) and Opper is unavailable/);
    expect(opper.requests.length).toBeLessThanOrEqual(sent + 1); // only the first export's probing
    expect(exporter.getStats().spansDropped).toBe(10);
    // The export that kept probing delivers its spans once Opper is back.
    opper.clearFaults();
    expect((await first).code).toBe(ExportResultCode.SUCCESS);
    expect(exporter.getStats()).toMatchObject({ spansExported: 10, spansDropped: 10 });
  });
});

describe('a long outage', () => {
  it('keeps one export trying and fails later ones at once once an export has failed in the outage', async () => {
    harness = await startHarness({ exporter: { exportTimeoutMillis: 1500 }, batch: false });
    const { opper, exporter } = harness;
    opper.outage(60_000);
    makeTraces(harness, 30);
    const batches = [0, 10, 20].map((start) => harness!.ended().slice(start, start + 10));
    expect((await exportOnce(harness, batches[0])).code).toBe(ExportResultCode.FAILED); // a deadline of 503s
    const second = exportOnce(harness, batches[1]); // keeps probing
    const dropped = exporter.getStats().spansDropped;
    const third = await exportOnce(harness, batches[2]);
    expect(third.error?.message).toMatch(/10 span\(s\) not exported: Opper is unavailable and an earlier export is still trying/);
    expect(exporter.getStats().spansDropped).toBe(dropped + 10);
    expect((await second).code).toBe(ExportResultCode.FAILED);
    // Recovery: the first success ends the outage and exports are accepted again.
    opper.clearFaults();
    let result: ExportResult | undefined;
    for (let i = 0; i < 20 && result?.code !== ExportResultCode.SUCCESS; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500)); // the shared backoff is at most 5 s
      result = await exportOnce(harness, batches[2]);
    }
    expect(result?.code).toBe(ExportResultCode.SUCCESS);
    expect(opper.spans.size).toBe(10);
  });
});

describe('hostile but legal span data', () => {
  it('delivers every span without a single refused or flagged request', async () => {
    harness = await startHarness({ spanLimits: { attributeCountLimit: 2000 } });
    const { opper, tracer } = harness;
    const huge = 'é'.repeat(2_500_000); // 5 MB of UTF-8
    const spans: Array<[string, Record<string, unknown>]> = [
      ['5 MB attribute', { 'app.blob': huge }],
      ['5 MB opper.input', { 'opper.input': huge, 'opper.output': huge }],
      ['bad \ud800 name \u0000', { 'key \udc00 \u0000': 'value \ud83d \u0000', ok: 'fine' }],
      ['numbers', { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, list: [1, Number.NaN] }],
      ['1000 attributes', Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`attr.${i}`, `value ${i}`]))],
      ['fractional score', { 'opper.score': 7.5 }],
      ['text score', { 'opper.score': 'high' }],
      ['infinite score', { 'opper.score': Number.POSITIVE_INFINITY }],
      ['broken messages', { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': '[{"role":', 'gen_ai.output.messages': '{{{' }],
    ];
    for (const [name, attributes] of spans) {
      const span = tracer.startSpan(name);
      span.setAttributes(attributes as never);
      span.end();
    }
    await harness.flush();

    expectAllStoredOnce(harness);
    expect(opper.requests.every((r) => r.status === 200)).toBe(true);
    const byName = new Map([...opper.spans.values()].map((s) => [s.name, s]));
    expect(byName.get('5 MB attribute')!.meta).toMatchObject({ 'opper.truncated': true });
    expect(byName.get('5 MB opper.input')!.input).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(byName.get('bad \ufffd name \ufffd')!.meta).toMatchObject({ 'key \ufffd \ufffd': 'value \ufffd \ufffd' });
    expect(byName.get('numbers')!.meta).toMatchObject({ nan: null, inf: null, ninf: null, list: [1, null] });
    expect(Object.keys(byName.get('1000 attributes')!.meta!).filter((k) => k.startsWith('attr.'))).toHaveLength(1000);
    expect(byName.get('fractional score')!.score).toBe(8);
    expect(byName.get('text score')).toMatchObject({ score: null, meta: expect.objectContaining({ 'opper.score': 'high' }) });
    expect(byName.get('broken messages')).toMatchObject({ type: 'llm', input: '[{"role":', output: '{{{' });
  });
});
