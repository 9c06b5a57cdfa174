/** What every door (exporter, processor) builds the same way: the delivery engine and the translation options. */
import { Warnings, WarningCode } from './diagnostics.js';
import type { ExporterConfig } from './config.js';
import { InlineDelivery, type Delivery, type DeliverySetup } from './transport/delivery.js';
import { HttpClient, type HttpClientOptions } from './transport/http-client.js';
import { proxyHost } from './transport/proxy.js';
import type { ProblemCause } from './transport/problems.js';
import type { SenderCounters, SpanSenderOptions } from './transport/span-sender.js';
import { WorkerDelivery } from './transport/worker-delivery.js';
import { shrinkBody, type TranslateOptions } from './translate/index.js';
import { VERSION } from './version.js';

// On a 413 the span is sent once more this small: identity and timing always fit.
const SHRUNK_BODY_BYTES = 16 * 1024;

export interface Engine {
  /** The delivery engine: inline, or in a worker (`config.transport`). */
  readonly sender: Delivery;
}

/** The delivery engine for `config`, or undefined: quietly under OTEL_SDK_DISABLED, after a
 * warning when there is no API key. */
export function startEngine(config: ExporterConfig, warnings: Warnings, door: string): Engine | undefined {
  const { apiKey, baseUrl, concurrency, timeoutMillis, maxPendingSpans } = config;
  if (config.disabled) return undefined;
  for (const notice of config.notices) warnings.once(notice.code, notice.message);
  if (config.environmentProblem !== undefined) {
    warnings.once(WarningCode.BadEnvironment, config.environmentProblem);
    return undefined;
  }
  if (apiKey === undefined) {
    warnings.once(WarningCode.MissingApiKey, `${door}: no API key (set OPPER_API_KEY or the apiKey option); spans will not be exported.`);
    return undefined;
  }
  const userAgent = `opentelemetry-exporter-opper/${VERSION} node/${process.versions.node}`;
  const client = httpClientOptions(config, warnings, door, userAgent);
  // Functions here other than shrink and redact are notifications: a worker calls them back here.
  const sender: SpanSenderOptions = {
    concurrency,
    timeoutMillis,
    maxPendingSpans,
    shrink: (body) => shrinkBody(body, SHRUNK_BODY_BYTES),
    redact: (text) => warnings.redact(text),
    baseUrl,
    onProblem: ({ cause, message }) => {
      if (cause === 'key-rejected') {
        message = `Opper rejected the API key (HTTP 401) at ${baseUrl}; check ${config.apiKeySource}. Spans are not being exported.`;
      } else if (cause === 'forbidden') {
        message = `the API key is not allowed to write spans (HTTP 403) at ${baseUrl}. Spans are not being exported.`;
      }
      warnings.once(PROBLEM_WARNINGS[cause], `${door}: ${message}`);
    },
  };
  const setup: DeliverySetup = { client, sender, shrinkBytes: SHRUNK_BODY_BYTES };
  if (config.transport === 'inline') return { sender: new InlineDelivery(setup) };
  const onWorkerStopped = (detail: string) =>
    warnings.once(WarningCode.WorkerStopped, `${door}: ${detail}; a new one took over its spans (see getStats() for any lost).`);
  return { sender: new WorkerDelivery(setup, onWorkerStopped) };
}

/**
 * The keep-alive client to Opper for `config` (which must have an API key), through its proxy if
 * any; a failure at the proxy is warned about once (and passed to `log`), naming the proxy's host.
 */
export function createHttpClient(config: ExporterConfig, warnings: Warnings, door: string, userAgent: string, log?: (message: string) => void): HttpClient {
  return new HttpClient(httpClientOptions(config, warnings, door, userAgent, log));
}

/** The options of `createHttpClient`'s client, for an engine that builds the client itself (in a worker). */
function httpClientOptions(config: ExporterConfig, warnings: Warnings, door: string, userAgent: string, log?: (message: string) => void): HttpClientOptions {
  const { baseUrl, apiKey, headers, concurrency, proxy } = config;
  const onProxyFailure = (reason: string) => {
    const message = `${door}: the proxy ${proxyHost(proxy!.url)} (from ${proxy!.source}) ${reason}; spans are not reaching Opper.`;
    log?.(message);
    warnings.once(WarningCode.ProxyFailed, message);
  };
  return { baseUrl, apiKey: apiKey!, headers, userAgent, maxConnections: concurrency.max, proxy: proxy?.url, onProxyFailure };
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

/** The warning code of each cause the sender reports. */
export const PROBLEM_WARNINGS: Readonly<Record<ProblemCause, string>> = {
  'key-rejected': WarningCode.KeyRejected,
  forbidden: WarningCode.Forbidden,
  'retry-after-capped': WarningCode.RetryAfterCapped,
  'unexpected-reply': WarningCode.UnexpectedReply,
  'wrong-base-url': WarningCode.WrongBaseUrl,
  redirected: WarningCode.Redirected,
  'tls-untrusted': WarningCode.TlsUntrusted,
  'tls-handshake': WarningCode.TlsHandshake,
  'no-answer': WarningCode.NoAnswer,
  unreachable: WarningCode.Unreachable,
  'falling-behind': WarningCode.FallingBehind,
};

/** The translation options of `config`; a mask that throws is warned about once. */
export function translateOptions(config: ExporterConfig, warnings: Warnings, door: string): TranslateOptions {
  const { maxBodyBytes, mask, redactSecrets, keepBinaryPayloads } = config;
  if (mask === undefined) return { maxBodyBytes, redactSecrets, keepBinaryPayloads };
  const onMaskError = (error: unknown) =>
    warnings.once(
      WarningCode.MaskThrew,
      `${door}: the mask function threw (${error instanceof Error ? error.message : String(error)}); the value was replaced by a redaction marker.`,
    );
  return { maxBodyBytes, redactSecrets, keepBinaryPayloads, mask, onMaskError };
}
