/**
 * What every engine (Node's in engine.ts, fetch's in engine-fetch.ts) builds the same way from
 * the config: whether to send at all, the engine's setup (user agent, limits, shrink size) and
 * warnings, the translation options. Imports nothing of Node's.
 */
import { type Warnings, WarningCode } from './diagnostics.js';
import type { ConnectionConfig } from './config.js';
import type { Delivery, DeliverySetup, SenderLimits } from './transport/delivery.js';
import type { Problem, ProblemCause } from './transport/problems.js';
import type { SenderCounters } from './transport/span-sender.js';
import type { TranslateOptions } from './translate/index.js';
import { VERSION } from './version.js';

// On a 413 the span is sent once more this small: identity and timing always fit.
const SHRUNK_BODY_BYTES = 16 * 1024;

export interface Engine {
  /** The delivery engine: inline, or in a worker (`config.transport`). */
  readonly sender: Delivery;
}

/** Builds a door's engine: Node's (engine.ts) or fetch's (engine-fetch.ts). */
export type StartEngine = (config: ConnectionConfig, warnings: Warnings, door: string) => Engine | undefined;

/** Whether the door sends at all: quietly not under OTEL_SDK_DISABLED, after a warning without an
 * API key or with an unusable environment. Says the config's notices once. */
export function readyToSend(config: ConnectionConfig, warnings: Warnings, door: string): boolean {
  if (config.disabled) return false;
  for (const notice of config.notices) warnings.once(notice.code, notice.message);
  if (config.environmentProblem !== undefined) {
    warnings.once(WarningCode.BadEnvironment, config.environmentProblem);
    return false;
  }
  if (config.apiKey === undefined) {
    warnings.once(WarningCode.MissingApiKey, `${door}: no API key (set OPPER_API_KEY or the apiKey option); spans will not be exported.`);
    return false;
  }
  return true;
}

/** The user agent of every engine: `runtime` names where it runs (`node/20.19.0`), `tag` which
 * door, when not the exporter's or the processor's (`(otlp-bridge)`). */
export function userAgent(runtime: string, tag?: string): string {
  return `opentelemetry-exporter-opper/${VERSION} ${tag === undefined ? '' : `${tag} `}${runtime}`;
}

/** The engine's setup for `config` (which must have an API key) as `door` uses it: plain data.
 * `sender` overrides the config's limits (the bridge's). */
export function deliverySetup(config: ConnectionConfig, door: string, userAgent: string, sender?: Partial<SenderLimits>): DeliverySetup {
  const { baseUrl, apiKey, headers, concurrency, proxy, timeoutMillis, maxPendingSpans } = config;
  return {
    client: { baseUrl, apiKey: apiKey!, headers, userAgent, maxConnections: concurrency.max, proxy: proxy?.url },
    sender: { door, concurrency, timeoutMillis, maxPendingSpans, ...sender },
    shrinkBytes: SHRUNK_BODY_BYTES,
  };
}

/** Each problem the sender reports, as one warning of the door's; a rejected key or a forbidden
 * write goes to `onKeyProblem` when the door words those itself. */
export function problemWarnings(
  config: ConnectionConfig,
  warnings: Warnings,
  door: string,
  onKeyProblem?: (problem: Problem) => void,
): (problem: Problem) => void {
  const { baseUrl } = config;
  return (problem) => {
    const { cause } = problem;
    if ((cause === 'key-rejected' || cause === 'forbidden') && onKeyProblem !== undefined) return onKeyProblem(problem);
    let { message } = problem;
    if (cause === 'key-rejected') {
      message = `Opper rejected the API key (HTTP 401) at ${baseUrl}; check ${config.apiKeySource}. Spans are not being exported.`;
    } else if (cause === 'forbidden') {
      message = `the API key is not allowed to write spans (HTTP 403) at ${baseUrl}. Spans are not being exported.`;
    }
    warnings.once(PROBLEM_WARNINGS[cause], `${door}: ${message}`);
  };
}

/** The warning code of each cause the sender reports. */
const PROBLEM_WARNINGS: Readonly<Record<ProblemCause, string>> = {
  'key-rejected': WarningCode.KeyRejected,
  forbidden: WarningCode.Forbidden,
  'retry-after-capped': WarningCode.RetryAfterCapped,
  'unexpected-reply': WarningCode.UnexpectedReply,
  'wrong-base-url': WarningCode.WrongBaseUrl,
  redirected: WarningCode.Redirected,
  'tls-untrusted': WarningCode.TlsUntrusted,
  unreachable: WarningCode.Unreachable,
  'tls-handshake': WarningCode.TlsHandshake,
  'no-answer': WarningCode.NoAnswer,
  'falling-behind': WarningCode.FallingBehind,
};

/** The translation options of `config`; a mask that throws is warned about once. */
export function translateOptions(config: ConnectionConfig, warnings: Warnings, door: string): TranslateOptions {
  const { maxBodyBytes, mask, redactSecrets, keepBinaryPayloads } = config;
  if (mask === undefined) return { maxBodyBytes, redactSecrets, keepBinaryPayloads };
  const onMaskError = (error: unknown) =>
    warnings.once(
      WarningCode.MaskThrew,
      `${door}: the mask function threw (${error instanceof Error ? error.message : String(error)}); the value was replaced by a redaction marker.`,
    );
  return { maxBodyBytes, redactSecrets, keepBinaryPayloads, mask, onMaskError };
}

/** The request counters of `getStats()` (exporter and processor alike). */
export function requestStats(counters: SenderCounters | undefined) {
  return {
    requests: counters?.requests ?? 0,
    requestsRetried: counters?.retries ?? 0,
    requestsPushedBack: counters?.pushedBack ?? 0,
    concurrency: counters?.concurrency ?? 0,
    fallingBehind: counters?.windowsBehind ?? 0,
  };
}
