/**
 * `opentelemetry-exporter-opper check`: one real round trip with the exporter's own settings
 * (options from the environment, proxy, HTTP client, translation): a create and its PATCH of a
 * test span, then a read back. Prints what it found and where to see it; never the key.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resolveConfig, type ConnectionConfig } from '../config.js';
import { Warnings } from '../diagnostics.js';
import { createHttpClient } from '../engine.js';
import { NetworkError, type HttpClient, type HttpResponse } from '../transport/http-client.js';
import { answerProblem, describeUnexpected, networkProblem } from '../transport/problems.js';
import { classifyNetworkError, classifyStatus, isOpperReply } from '../transport/retry-policy.js';
import { translateSpan, type ReadableSpanLike } from '../translate/index.js';
import { VERSION } from '../version.js';

/** The exit code of each outcome; `--help` lists them. */
export const CheckExit = {
  Ok: 0,
  Usage: 2,
  NoKey: 3,
  KeyRejected: 4,
  WrongBaseUrl: 5,
  Redirected: 6,
  Tls: 7,
  Dns: 8,
  Refused: 9,
  NoAnswer: 10,
  NotOpper: 11,
  Other: 12,
} as const;

export const CHECK_SPAN_NAME = 'opentelemetry-exporter-opper check';
export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;

/** Why the check stopped: the exit code and what to tell the user. */
class Stop extends Error {
  constructor(
    readonly exit: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs the check; prints through `print` and resolves with the exit code (rejects only on a bug). */
export async function runCheck(env: NodeJS.ProcessEnv, timeoutMs: number, print: (line: string) => void): Promise<number> {
  let config: ConnectionConfig;
  try {
    config = resolveConfig({}, env);
  } catch (error) {
    print(`FAIL (bad environment): ${(error as Error).message}`);
    return CheckExit.NoKey;
  }
  const warnings = new Warnings(config.apiKey);
  const say = (line: string) => print(warnings.redact(line));
  if (config.environmentProblem !== undefined) {
    say(`FAIL (bad environment): ${config.environmentProblem}`);
    return CheckExit.NoKey;
  }
  if (config.apiKey === undefined) {
    say('FAIL (no key): OPPER_API_KEY is not set. Set it to an API key of your Opper project (the exporter reads the same variable).');
    return CheckExit.NoKey;
  }
  const via = config.proxy === undefined ? '' : `, through the proxy from ${config.proxy.source}`;
  say(`Checking ${config.baseUrl}${via}, with the key from OPPER_API_KEY (${config.apiKey.length} characters).`);
  if (config.disabled) say('Note: OTEL_SDK_DISABLED=true, so the exporter itself sends nothing; checking all the same.');
  const client = createHttpClient(config, warnings, 'opentelemetry-exporter-opper check', '(check)');
  const deadline = Date.now() + timeoutMs;
  try {
    const span = translateSpan(checkSpan(), { maxBodyBytes: config.maxBodyBytes, redactSecrets: true });
    await write(client, config, deadline, 'POST', 'spans', span.create, span.id);
    say(`created: span ${span.id} in trace ${span.traceId}`);
    await write(client, config, deadline, 'PATCH', `spans/${span.id}`, span.update, undefined);
    say('ended: its PATCH was accepted');
    say(await readBack(client, deadline, span.id));
    say(`OK: Opper at ${config.baseUrl} accepts this key and stored the span "${CHECK_SPAN_NAME}" (type check).`);
    say(`See it in Opper's Tracing view, or: curl -H "Authorization: Bearer $OPPER_API_KEY" ${config.baseUrl}/traces/${span.traceId}`);
    return CheckExit.Ok;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    say(`FAIL (${error.reason}): ${error.message}`);
    return error.exit;
  } finally {
    client.close();
  }
}

/** A test span, named so that nobody mistakes it for their app's. */
function checkSpan(): ReadableSpanLike {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const now = Date.now();
  const time = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  return {
    name: CHECK_SPAN_NAME,
    kind: SpanKind.CLIENT,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    startTime: time(now),
    endTime: time(now + 1),
    status: { code: SpanStatusCode.OK },
    attributes: {
      'opper.type': 'check',
      'opper.input': `npx opentelemetry-exporter-opper check, from ${hostname()}`,
      'opper.output': 'ok: the key and the base URL work',
    },
    links: [],
    events: [],
    resource: { attributes: { 'service.name': 'opentelemetry-exporter-opper-check' } },
    instrumentationScope: { name: 'opentelemetry-exporter-opper', version: VERSION },
  };
}

/** One write that must be accepted; a PATCH that meets 404 (replica lag) is tried again. */
async function write(
  client: HttpClient,
  config: ConnectionConfig,
  deadline: number,
  method: 'POST' | 'PATCH',
  path: string,
  body: string,
  id: string | undefined,
): Promise<void> {
  for (;;) {
    const response = await request(client, config.baseUrl, deadline, method, path, body);
    const verdict = classifyStatus(response.status, method);
    if (verdict === 'done') {
      if (response.status < 300 && !isOpperReply(response.contentType, response.body, id)) {
        const problem = answerProblem(config.baseUrl, method, path, response, true);
        throw new Stop(CheckExit.NotOpper, 'not Opper', problem?.message ?? describeUnexpected(response));
      }
      return;
    }
    if (method === 'PATCH' && response.status === 404 && Date.now() + 500 < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    throw answerStop(config, method, path, response);
  }
}

function answerStop(config: ConnectionConfig, method: string, path: string, response: HttpResponse): Stop {
  const { status } = response;
  if (status === 401 || status === 403) {
    const what = status === 401 ? 'rejected the API key' : 'does not let this key write spans';
    return new Stop(
      CheckExit.KeyRejected,
      'key rejected',
      `Opper ${what} (HTTP ${status}) at ${config.baseUrl}. Fix: set OPPER_API_KEY to a key of your Opper project.`,
    );
  }
  const problem = answerProblem(config.baseUrl, method, path, response, false);
  if (problem?.cause === 'wrong-base-url') return new Stop(CheckExit.WrongBaseUrl, 'wrong base URL', forCheck(problem.message));
  if (problem?.cause === 'redirected') return new Stop(CheckExit.Redirected, 'redirect', forCheck(problem.message));
  return new Stop(
    CheckExit.Other,
    `HTTP ${status}`,
    `${method} ${config.baseUrl}/${path} was answered HTTP ${status}: ${response.body.slice(0, 200) || '(empty body)'}`,
  );
}

/** One request within the check's deadline; a failure without an answer becomes a Stop. */
async function request(
  client: HttpClient,
  baseUrl: string,
  deadline: number,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body: string | undefined,
): Promise<HttpResponse> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw noAnswer(baseUrl, 'the check ran out of time');
  try {
    return await client.request(method, path, body, remaining);
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    throw networkStop(baseUrl, error);
  }
}

function networkStop(baseUrl: string, error: NetworkError): Stop {
  const fault = classifyNetworkError(error.code, error.message);
  if (fault === 'no-answer') return noAnswer(baseUrl, `${error.code}: ${error.message}`);
  const problem = networkProblem(baseUrl, fault, error.code, error.message);
  const message = forCheck(problem?.message ?? '');
  if (fault === 'tls' || fault === 'tls-handshake') return new Stop(CheckExit.Tls, 'TLS', message);
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return new Stop(CheckExit.Dns, 'DNS', `${message} Fix: check the host name in OPPER_BASE_URL.`);
  if (fault === 'unreachable') return new Stop(CheckExit.Refused, 'refused', `${message} Fix: check the host and port in OPPER_BASE_URL.`);
  return new Stop(CheckExit.Other, error.code, `${error.code}: ${error.message} (at ${baseUrl})`);
}

/** The exporter's message without what the exporter does next (retrying, not exporting). */
function forCheck(message: string): string {
  return message
    .replace(/;? ?still retrying[^.]*\./, '.')
    .replace(/,? ?(so )?spans are not being exported[^.]*\./i, '.')
    .replace(/\.\.$/, '.')
    .trim();
}

function noAnswer(baseUrl: string, detail: string): Stop {
  const message = `no answer from ${baseUrl} in time (${detail}): something there takes the connection and never replies. Fix: check OPPER_BASE_URL (host and port); --timeout-ms sets how long to wait.`;
  return new Stop(CheckExit.NoAnswer, 'no answer', message);
}

/** What reading the span back shows; a read that fails is reported, not fatal (the writes landed). */
async function readBack(client: HttpClient, deadline: number, id: string): Promise<string> {
  try {
    const response = await client.request('GET', `spans/${id}`, undefined, Math.max(1, deadline - Date.now()));
    if (response.status !== 200) return `read back: GET /spans/${id} answered HTTP ${response.status} (the writes were accepted)`;
    const stored = JSON.parse(response.body) as { name?: unknown; end_time?: unknown };
    return `read back: "${String(stored.name)}", ended ${String(stored.end_time)}`;
  } catch (error) {
    return `read back: not possible (${error instanceof Error ? error.message : String(error)}); the writes were accepted`;
  }
}
