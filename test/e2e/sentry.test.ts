// Sentry 11 (@sentry/node) in the same process as Opper, as Sentry documents an app that keeps its
// own OpenTelemetry pipeline: the app's provider, registered before Sentry.init, carries Opper (as
// its exporter or span processor); Sentry gets openTelemetryIntegration() and a DSN pointing at a
// loopback stub. Plain `node` processes (test/fixtures/sentry/sentry-app.mjs): instrumentation-http
// patches nothing inside Jest, and both SDKs register globals.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalOpper, type LocalOpper, type StoredSpan } from '../../src/testing/index.js';
import { startSentryStub, type SentryStub } from '../fixtures/sentry/sentry-stub.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const app = `${ROOT}test/fixtures/sentry/sentry-app.mjs`;

interface AppOutput {
  traceId: string;
  registered: string;
  stats: { spansExported: number; spansFailed: number; spansDropped: number };
  warnings: string[];
}

let opper: LocalOpper;
let sentry: SentryStub;
beforeEach(async () => {
  opper = await startLocalOpper();
  sentry = await startSentryStub();
});
afterEach(async () => {
  await opper.close();
  await sentry.close();
});

/** Runs the app with `env` on top of Opper's and Sentry's settings; resolves with its JSON line. */
async function runApp(env: Record<string, string | undefined>): Promise<AppOutput> {
  const full: NodeJS.ProcessEnv = {
    ...process.env,
    OPPER_BASE_URL: opper.url,
    OPPER_API_KEY: opper.apiKey,
    SENTRY_DSN: sentry.dsn,
    ...env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete full[key];
  const { stdout } = await run(process.execPath, [app], { cwd: ROOT, env: full, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as AppOutput;
}

/** Each stored span as "name <- parent name" (kind-qualified for the two GET spans). */
function tree(spans: readonly StoredSpan[]): string[] {
  const label = (span: StoredSpan) => (span.name === 'GET' ? `GET ${String(span.meta?.['otel.kind'] ?? '').toLowerCase()}` : span.name);
  const byId = new Map(spans.map((span) => [span.id, span]));
  return spans
    .map(
      (span) =>
        `${label(span)} <- ${span.parent_id === null ? 'root' : byId.has(span.parent_id) ? label(byId.get(span.parent_id)!) : 'MISSING'}`,
    )
    .sort();
}

const FULL_TREE = ['GET client <- load', 'GET server <- GET client', 'job <- root', 'load <- job', 'work <- job'].sort();

/** Every span of the app's trace reached Opper, linked, once, with nothing else beside it. */
function expectEveryAppSpan(out: AppOutput): void {
  const spans = [...opper.spans.values()];
  expect(tree(spans)).toEqual(FULL_TREE);
  expect(new Set(spans.map((span) => span.meta?.['otel.trace_id']))).toEqual(new Set([out.traceId]));
  expect(out.stats).toMatchObject({ spansExported: 5, spansFailed: 0, spansDropped: 0 });
  expect(opper.violations).toEqual([]);
  expect(out.warnings).toEqual([]);
  // Nobody traced the exporter's requests: no propagation headers reached Opper.
  for (const request of opper.requests) {
    expect(request.headers).not.toHaveProperty('sentry-trace');
    expect(request.headers).not.toHaveProperty('baggage');
    expect(request.headers).not.toHaveProperty('traceparent');
  }
}

const sentryEvents = () =>
  sentry.items.filter((item) => item.type === 'event').map((item) => item.payload as { contexts?: { trace?: { trace_id?: string } } });
const sentrySpans = () => sentry.items.filter((item) => item.type === 'span').map((item) => JSON.stringify(item.payload));

describe.each(['exporter', 'processor'])("Sentry's own-pipeline setup with Opper as the app provider's %s", (door) => {
  it("delivers every span of the trace to Opper, parents intact; Sentry's error lands on the same trace", async () => {
    const out = await runApp({ DOOR: door });
    expect(out.registered).toBe('app');
    expectEveryAppSpan(out);
    // Sentry still works: the error it captured inside `work` carries the OTel trace id.
    const events = sentryEvents();
    expect(events).toHaveLength(1);
    expect(events[0]!.contexts?.trace?.trace_id).toBe(out.traceId);
  });

  it('loses nothing when the provider is shut down before Sentry.close()', async () => {
    expectEveryAppSpan(await runApp({ DOOR: door, CLOSE_ORDER: 'provider-first' }));
    expect(sentryEvents()).toHaveLength(1);
  });
});

describe("Sentry's sampling and what Opper gets", () => {
  // Sentry 11 puts no sampler on the app's provider: its tracesSampleRate / tracesSampler only
  // decide Sentry's own spans, so Opper gets every span whatever they say.
  it.each([
    ['tracesSampleRate: 0', '0'],
    ['a tracesSampler that samples nothing', 'never'],
    ['tracesSampleRate: 1', '1'],
  ])('Opper gets every span with %s', async (_, traces) => {
    expectEveryAppSpan(await runApp({ DOOR: 'exporter', SENTRY_TRACES: traces }));
  });

  it("with tracesSampleRate: 1, Sentry's own spans are of the app's traffic, never of the exporter's", async () => {
    await runApp({ DOOR: 'processor', SENTRY_TRACES: '1' });
    const spans = sentrySpans();
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.join('\n')).toContain('/data');
    expect(spans.join('\n')).not.toContain(`:${new URL(opper.url).port}`);
  });

  it('without a DSN, Sentry stays off and the pipeline runs', async () => {
    expectEveryAppSpan(await runApp({ DOOR: 'exporter', SENTRY_DSN: undefined }));
    expect(sentry.requests).toEqual([]);
  });
});

describe('Sentry registering its own tracer provider (enableOpenTelemetrySetup: true)', () => {
  it("changes nothing for Opper when the app's provider is registered first, as Sentry documents", async () => {
    const out = await runApp({ DOOR: 'exporter', SENTRY_OTEL_SETUP: 'true' });
    expect(out.registered).toBe('app');
    expectEveryAppSpan(out);
  });

  it.each(['exporter', 'processor'])('registered first, it takes every span and the %s says so once', async (door) => {
    const out = await runApp({ DOOR: door, SENTRY_OTEL_SETUP: 'true', INIT_ORDER: 'sentry-first' });
    expect(out.registered).toBe('SentryTracerProvider');
    expect(opper.spans.size).toBe(0);
    expect(out.warnings).toEqual(['OPPER_EXPORTER_SENTRY_TRACER_PROVIDER']);
  });
});
