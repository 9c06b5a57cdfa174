// Coexistence with the app's OpenTelemetry setup, where global state matters: each case is a plain
// `node` process (test/fixtures/coexistence-app.mjs) with a real SDK and, where it says so, a real
// second copy of @opentelemetry/api.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

const run = promisify(execFile);
const app = fileURLToPath(new URL('../fixtures/coexistence-app.mjs', import.meta.url));

let opper: LocalOpper;
beforeAll(async () => {
  opper = await startLocalOpper();
});
afterAll(() => opper.close());

interface Outcome {
  warnings: { code: string; message: string }[];
  stats: { spansExported: number; spansDropped: number; requests: number };
  results: number[];
}

async function runApp(door: string, scenario: string, env: Record<string, string | undefined> = {}): Promise<Outcome> {
  opper.reset();
  const { OTEL_SDK_DISABLED, ...parent } = process.env;
  const { stdout } = await run(process.execPath, [app], {
    env: { ...parent, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey, DOOR: door, SCENARIO: scenario, ...env },
    timeout: 30_000,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Outcome;
}

const codes = (outcome: Outcome) => outcome.warnings.map((warning) => warning.code);

describe.each(['exporter', 'processor'])("the %s, beside the app's tracer provider", (door) => {
  it('delivers and says nothing when the provider is registered', async () => {
    const outcome = await runApp(door, 'registered');
    expect(codes(outcome)).toEqual([]);
    expect(outcome.stats.spansExported).toBe(1);
    expect([...opper.spans.values()].map((span) => span.name)).toEqual(['coexistence']);
  });

  it('delivers and says nothing when a second copy of the same api version registered it', async () => {
    const outcome = await runApp(door, 'same-copy');
    expect(codes(outcome)).toEqual([]);
    expect(outcome.stats.spansExported).toBe(1);
  });

  it('says nothing when the app starts spans from an unregistered provider itself', async () => {
    const outcome = await runApp(door, 'direct');
    expect(codes(outcome)).toEqual([]);
    expect(outcome.stats.spansExported).toBe(1);
  });

  it('warns once that no tracer provider is registered', async () => {
    const outcome = await runApp(door, 'unregistered');
    expect(codes(outcome)).toEqual(['OPPER_EXPORTER_NO_TRACER_PROVIDER']);
    expect(outcome.warnings[0]!.message).toMatch(/no tracer provider is registered with @opentelemetry\/api/);
    expect(outcome.warnings[0]!.message).not.toContain(opper.apiKey);
    expect(opper.requests).toHaveLength(0);
  });

  it('warns once that two copies of @opentelemetry/api are loaded, naming the version that registered', async () => {
    const outcome = await runApp(door, 'older-copy');
    expect(codes(outcome)).toEqual(['OPPER_EXPORTER_API_COPIES']);
    expect(outcome.warnings[0]!.message).toMatch(/registered through version 1\.8\.0, which the newer copy this package loaded cannot use/);
    expect(opper.requests).toHaveLength(0);
  });

  it.each(['true', 'TRUE', 'True'])('does nothing, quietly, under OTEL_SDK_DISABLED=%s, even without a key', async (value) => {
    const outcome = await runApp(door, 'direct', { OTEL_SDK_DISABLED: value, OPPER_API_KEY: '' });
    expect(codes(outcome)).toEqual([]);
    expect(opper.requests).toHaveLength(0);
    expect(outcome.stats).toMatchObject({ spansExported: 0, spansDropped: 0, requests: 0 });
    // A disabled SDK is a no-op one: the exporter succeeds at doing nothing.
    if (door === 'exporter') expect(outcome.results).toEqual([0]);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('read as false, with a warning, when it is neither "true" nor "false"', async () => {
    const outcome = await runApp('exporter', 'registered', { OTEL_SDK_DISABLED: 'yes' });
    expect(outcome.warnings).toEqual([
      { code: 'OPPER_EXPORTER_BAD_ENVIRONMENT', message: expect.stringMatching(/OTEL_SDK_DISABLED is "yes".*read as false/) },
    ]);
    expect(outcome.stats.spansExported).toBe(1);
  });
});
