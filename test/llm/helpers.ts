import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { startLocalOpper, type LocalOpper, type StoredSpan } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a fixture app prints: the OTel trace id of each scenario it ran. */
export interface AppRun {
  readonly scenarios: Record<string, string>;
}

/**
 * Runs a fixture app as a plain `node` process (require-in-the-middle patches nothing inside
 * Jest's module VM), exporting to `opper`; resolves with the JSON line it prints.
 */
export function runApp(script: string, args: readonly string[], opper: LocalOpper): Promise<AppRun> {
  if (!existsSync(`${ROOT}dist/index.js`)) {
    return Promise.reject(new Error('dist/ is missing: run `npm run build` first (the fixture apps import the built package)'));
  }
  const env: NodeJS.ProcessEnv = { ...process.env, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey };
  delete env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [`${ROOT}${script}`, ...args], { cwd: ROOT, env, timeout: 45_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${script} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as AppRun);
      } catch {
        reject(new Error(`${script} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** One fixture app per instrumentation, all exporting to one local Opper. */
export interface AppSuite {
  /** The local Opper (set once `beforeAll` has run). */
  readonly opper: LocalOpper;
  /** Waits for the app's run to end; rejects with its error. */
  run(app: string): Promise<AppRun>;
  /** The spans of `scope` in one scenario's trace, once the app's root span has landed too. */
  scenarioSpans(app: string, scope: string, scenario: string, expected: number): Promise<StoredSpan[]>;
}

/**
 * Registers Jest hooks that start a local Opper and run `script` once per app (argv[2]) side
 * by side: each app is a separate process, each scenario a separate trace.
 */
export function runAppsAgainstOpper(script: string, apps: readonly string[]): AppSuite {
  let opper: LocalOpper | undefined;
  const runs = new Map<string, Promise<AppRun>>();
  beforeAll(async () => {
    opper = await startLocalOpper();
    for (const app of apps) {
      const run = runApp(script, [app], opper);
      run.catch(() => undefined); // reported by the test that awaits it
      runs.set(app, run);
    }
  });
  afterAll(async () => {
    await Promise.allSettled(runs.values());
    await opper?.close();
  });
  const suite: AppSuite = {
    get opper() {
      if (opper === undefined) throw new Error('the local Opper is not started yet');
      return opper;
    },
    run: (app) => runs.get(app) ?? Promise.reject(new Error(`no app ${app}`)),
    async scenarioSpans(app, scope, scenario, expected) {
      const { scenarios } = await suite.run(app);
      const spans = await waitForTrace(suite.opper, scenarios[scenario]!, expected + 1);
      return instrumented(spans, scope);
    },
  };
  return suite;
}

/** The stored spans of one OTel trace, in start order. */
export function spansOfTrace(opper: LocalOpper, otelTraceId: string): StoredSpan[] {
  return [...opper.spans.values()]
    .filter((span) => span.meta?.['otel.trace_id'] === otelTraceId)
    .sort((a, b) => (a.start_time ?? '').localeCompare(b.start_time ?? ''));
}

/** Waits until the trace has at least `count` spans, then returns them. */
export async function waitForTrace(opper: LocalOpper, otelTraceId: string, count: number): Promise<StoredSpan[]> {
  await opper.waitForSpans(() => spansOfTrace(opper, otelTraceId).filter((span) => span.end_time !== null).length >= count, 10_000);
  return spansOfTrace(opper, otelTraceId);
}

/** The spans an instrumentation made (not the app's own `scenario ...` root spans). */
export function instrumented(spans: readonly StoredSpan[], scope: string | RegExp): StoredSpan[] {
  return spans.filter((span) => {
    const name = span.meta?.['otel.scope.name'];
    return typeof name === 'string' && (typeof scope === 'string' ? name === scope : scope.test(name));
  });
}

/** One message as the tests read it: its role and all the text it carries. */
export interface ReadMessage {
  readonly role: string;
  readonly text: string;
}

/**
 * Reads a rendered input/output as a message list, whatever message shape it uses
 * (`{role, content}`, `{role, parts: [...]}`, tool calls, ...): the role and every string in it.
 * Returns undefined when the value is not a JSON message list.
 */
export function readMessages(value: unknown): ReadMessage[] | undefined {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(parsed)) return undefined;
  const messages: ReadMessage[] = [];
  for (const item of parsed) {
    if (item === null || typeof item !== 'object' || typeof (item as { role?: unknown }).role !== 'string') return undefined;
    const { role, ...rest } = item as Record<string, unknown>;
    messages.push({ role: role as string, text: strings(rest).join(' ') });
  }
  return messages;
}

/** Every string inside a JSON value (JSON text inside strings included), depth first. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return [value, ...strings(JSON.parse(trimmed))];
      } catch {
        return [value];
      }
    }
    return [value];
  }
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The text of an input/output: a plain string as is, else every string inside its JSON. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? [value, ...strings(value).slice(1)].join(' ') : strings(value).join(' ');
}

/**
 * The geography chat every fixture app runs: the system prompt and the question as input
 * messages, the stub's answer as output, and neither repeated in meta.
 */
export function expectGeographyChat(span: StoredSpan): void {
  const input = readMessages(span.input);
  expect(input?.map((m) => m.role)).toEqual(['system', 'user']);
  expect(input?.[0]?.text).toContain('You are a terse geography tutor.');
  expect(input?.[1]?.text).toContain('What is the capital of Sweden?');
  expect(textOf(span.output)).toContain('Stub answer to: What is the capital of Sweden?');
  const metaText = JSON.stringify(span.meta);
  expect(metaText).not.toContain('What is the capital of Sweden?');
  expect(metaText).not.toContain('Stub answer to:');
}
