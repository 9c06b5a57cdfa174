import type { MeterProvider } from '@opentelemetry/api';
import type { MaskFunction } from './translate/mask.js';
import type { CapacityRange } from './transport/capacity.js';
import { parseProxyUrl, proxyFromEnvironment, type ProxySetting } from './transport/proxy-setting.js';

// Connections to Opper at most: one per request in flight.
const MAX_CONCURRENCY = 4096;

/** Options of `OpperSpanExporter`; every one is optional. */
export interface OpperExporterOptions {
  /** Opper API key. Default: the `OPPER_API_KEY` environment variable. Empty means unset. */
  apiKey?: string | undefined;
  /** API base URL. Default: `OPPER_BASE_URL`, then `https://api.opper.ai/v2`. */
  baseUrl?: string | undefined;
  /** Timeout of one HTTP request, in ms. Default 10000. */
  timeoutMillis?: number | undefined;
  /** Deadline of one `export()` call, retries included, in ms. Keep it below the span processor's
   * `exportTimeoutMillis` (30000 by default). Default 20000. */
  exportTimeoutMillis?: number | undefined;
  /** Requests in flight at once, fixed, across all concurrent exports. Default: unset, so the number
   * adapts (see `maxConcurrency`). */
  concurrency?: number | undefined;
  /** The most requests in flight at once. Unless `concurrency` fixes it, the number starts at 128
   * and adapts between 4 and this bound: it grows while requests wait and Opper answers well, and
   * shrinks when Opper answers 429/503, times out or slows down. Default 1024. */
  maxConcurrency?: number | undefined;
  /** Spans held across exports still being delivered. An export that would exceed it waits for
   * room (within its deadline) while Opper is healthy, and fails at once during an outage.
   * Bounds memory when Opper is down and the span processor keeps exporting. Default 4096. */
  maxPendingSpans?: number | undefined;
  /** Extra HTTP headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Upper bound of one request body in bytes; larger values are truncated. Default 524288. */
  maxBodyBytes?: number | undefined;
  /** Replace secrets found in standard attributes (command lines, sensitive URL query values,
   * URL credentials) by `REDACTED` before they leave the process. Default true. */
  redactSecrets?: boolean | undefined;
  /** Send inline binary payloads in LLM prompts and answers (base64 images, audio and files,
   * `data:` URLs, byte arrays) as they are. By default each becomes a short description in place,
   * e.g. `[image: image/png, 700 KB, base64 omitted]` (docs/llm-spans.md). Default false. */
  keepBinaryPayloads?: boolean | undefined;
  /** Called for every content-bearing string after translation (input, output, error, every string
   * in meta); returns what to send instead (undefined: leave it out). If it throws, the string is
   * replaced by `[redacted: mask threw]`. */
  mask?: MaskFunction | undefined;
  /** Where the HTTP requests run: `'worker'`, a `worker_threads` worker of the exporter's own, or
   * `'inline'`, the app's thread. Default: `OPPER_EXPORTER_TRANSPORT`, then `'worker'`. */
  transport?: Transport | undefined;
  /** Forward proxy for every request to Opper, e.g. `http://user:password@proxy:3128`; `false`
   * sends directly even when the environment names a proxy. Default: `HTTPS_PROXY` (or
   * `HTTP_PROXY` for an http base URL, lower-case forms first) unless `NO_PROXY` names the host. */
  proxy?: string | false | undefined;
  /** Where to record the OpenTelemetry SDK self-observability metrics (`otel.sdk.exporter.*`,
   * `otel.sdk.processor.*`), e.g. a `MeterProvider` of `@opentelemetry/sdk-metrics`. Default: none. */
  meterProvider?: MeterProvider | undefined;
}

/** The door a config is resolved for: every message it produces starts with this name. */
export type Door = 'OpperSpanExporter' | 'OpperSpanProcessor' | 'opper-otlp-bridge';

export type Transport = 'worker' | 'inline';
const TRANSPORTS: readonly string[] = ['worker', 'inline'];
export const DEFAULT_TRANSPORT: Transport = 'worker';

/** How to reach Opper and deliver: the validated, frozen options that every door (exporter, processor, bridge) reads. */
export interface ConnectionConfig {
  readonly apiKey: string | undefined;
  readonly baseUrl: string;
  readonly timeoutMillis: number;
  readonly exportTimeoutMillis: number;
  /** Requests in flight: where they start and the range they adapt within. */
  readonly concurrency: CapacityRange;
  readonly maxPendingSpans: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  readonly redactSecrets: boolean;
  readonly keepBinaryPayloads: boolean;
  readonly mask: MaskFunction | undefined;
  readonly transport: Transport;
  readonly meterProvider: MeterProvider | undefined;
  /** The forward proxy for the base URL, from the option or the environment; none: direct. */
  readonly proxy: ProxySetting | undefined;
  /** `OTEL_SDK_DISABLED=true`: the door does nothing, quietly. */
  readonly disabled: boolean;
  /** Where the key came from, for messages: the option or the environment variable. */
  readonly apiKeySource: 'the apiKey option' | 'OPPER_API_KEY';
  /** Set when the environment holds a value the exporter cannot use: it warns and sends nothing. */
  readonly environmentProblem: string | undefined;
  /** Accepted but probably not meant: each becomes one warning. */
  readonly notices: readonly ConfigNotice[];
}

export interface ConfigNotice {
  readonly code: string;
  readonly message: string;
}

// The span processors' own export timeout: a longer export deadline is cut short by them.
const PROCESSOR_EXPORT_TIMEOUT = 30_000;
// The tracer provider's forceFlush() waits this long for each span processor, then rejects.
const PROVIDER_FLUSH_TIMEOUT = 30_000;

export const DEFAULT_BASE_URL = 'https://api.opper.ai/v2';
// The server refuses bodies over 1 MiB; stay well under it so headers and escaping never tip it over.
const SERVER_BODY_LIMIT = 1024 * 1024;
// Below this, a span's identity, timing and markers may not fit.
const MIN_BODY_BYTES = 4096;
const RESERVED_HEADERS = new Set(['authorization', 'content-type', 'content-length', 'host']);

/**
 * Merges options with the environment and validates them, for `door`, whose name every message
 * carries. A bad option throws (TypeError or RangeError, naming the option); a bad environment
 * variable never throws: it is reported in `environmentProblem`, naming the variable.
 */
export function resolveConfig(
  options: OpperExporterOptions = {},
  // No `process` on Workers (without nodejs_compat): options only there.
  env: NodeJS.ProcessEnv = globalThis.process?.env ?? {},
  door: Door = 'OpperSpanExporter',
): ConnectionConfig {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${door}: options must be an object`);
  }
  const ownKey = optionalString(door, options.apiKey, 'apiKey');
  const apiKey = ownKey ?? nonEmpty(env.OPPER_API_KEY);
  const ownUrl = optionalString(door, options.baseUrl, 'baseUrl');
  const envUrl = ownUrl === undefined ? nonEmpty(env.OPPER_BASE_URL) : undefined;
  let baseUrl = DEFAULT_BASE_URL;
  let environmentProblem: string | undefined;
  if (ownUrl !== undefined) baseUrl = parseBaseUrl(door, ownUrl, 'baseUrl');
  else if (envUrl !== undefined) {
    try {
      baseUrl = parseBaseUrl(door, envUrl, 'OPPER_BASE_URL');
    } catch (error) {
      environmentProblem = `${(error as Error).message}; spans will not be exported.`;
    }
  }
  let transport = DEFAULT_TRANSPORT;
  if (options.transport !== undefined) {
    if (!TRANSPORTS.includes(options.transport)) {
      throw new TypeError(`${door}: transport must be 'worker' or 'inline', got ${describe(options.transport)}`);
    }
    transport = options.transport;
  } else {
    const envTransport = nonEmpty(env.OPPER_EXPORTER_TRANSPORT);
    if (envTransport !== undefined && TRANSPORTS.includes(envTransport)) transport = envTransport as Transport;
    else if (envTransport !== undefined) {
      environmentProblem ??= `${door}: OPPER_EXPORTER_TRANSPORT must be worker or inline, got ${JSON.stringify(envTransport)}; spans will not be exported.`;
    }
  }
  let proxy: ProxySetting | undefined;
  const ownProxy = options.proxy === false ? undefined : optionalString(door, options.proxy, 'proxy', 'a string or false');
  if (ownProxy !== undefined) proxy = { url: parseProxyUrl(ownProxy, 'proxy', door), source: 'the proxy option' };
  else if (options.proxy !== false && environmentProblem === undefined) {
    try {
      proxy = proxyFromEnvironment(new URL(baseUrl), env, door);
    } catch (error) {
      environmentProblem = `${(error as Error).message}; spans will not be exported.`;
    }
  }
  const timeoutMillis = integer(door, 'timeoutMillis', options.timeoutMillis, 10_000, 1, 600_000);
  const exportTimeoutMillis = integer(door, 'exportTimeoutMillis', options.exportTimeoutMillis, 20_000, 1, 3_600_000);
  const concurrency = concurrencyRange(door, options.concurrency, options.maxConcurrency);
  const maxPendingSpans = integer(door, 'maxPendingSpans', options.maxPendingSpans, 4096, 1, 10_000_000);
  const maxBodyBytes = integer(door, 'maxBodyBytes', options.maxBodyBytes, 512 * 1024, MIN_BODY_BYTES, SERVER_BODY_LIMIT);
  const redactSecrets = optionalBoolean(door, options.redactSecrets, 'redactSecrets') ?? true;
  const keepBinaryPayloads = optionalBoolean(door, options.keepBinaryPayloads, 'keepBinaryPayloads') ?? false;
  const notices: ConfigNotice[] = [];
  const disabled = sdkDisabled(env.OTEL_SDK_DISABLED, notices);
  const advice = exportTimeoutAdvice(door, exportTimeoutMillis);
  if (advice !== undefined) notices.push({ code: 'OPPER_EXPORTER_EXPORT_TIMEOUT', message: advice });
  return Object.freeze({
    apiKey,
    baseUrl,
    timeoutMillis,
    exportTimeoutMillis,
    concurrency,
    maxPendingSpans,
    headers: Object.freeze(parseHeaders(door, options.headers)),
    maxBodyBytes,
    redactSecrets,
    keepBinaryPayloads,
    mask: parseMask(door, options.mask),
    transport,
    meterProvider: parseMeterProvider(door, options.meterProvider),
    proxy: proxy && Object.freeze(proxy),
    disabled,
    apiKeySource: ownKey !== undefined ? 'the apiKey option' : 'OPPER_API_KEY',
    environmentProblem,
    notices: Object.freeze(notices),
  });
}

/** When a bound outside the door gives up before `exportTimeoutMillis`: what it is, worded for that door. */
function exportTimeoutAdvice(door: Door, exportTimeoutMillis: number): string | undefined {
  if (door === 'OpperSpanExporter' && exportTimeoutMillis > PROCESSOR_EXPORT_TIMEOUT) {
    return (
      `OpperSpanExporter: exportTimeoutMillis is ${exportTimeoutMillis} ms, above the span processor's ` +
      `default exportTimeoutMillis (${PROCESSOR_EXPORT_TIMEOUT} ms), which gives up on an export first; ` +
      "raise the processor's exportTimeoutMillis too."
    );
  }
  // The processor's forceFlush() waits up to exportTimeoutMillis (each delivery attempt too).
  if (door === 'OpperSpanProcessor' && exportTimeoutMillis > PROVIDER_FLUSH_TIMEOUT) {
    return (
      `OpperSpanProcessor: exportTimeoutMillis is ${exportTimeoutMillis} ms, above the tracer provider's ` +
      `default forceFlushTimeoutMillis (${PROVIDER_FLUSH_TIMEOUT} ms), so provider.forceFlush() rejects before ` +
      "this processor's flush ends (what is left stays queued); raise the provider's forceFlushTimeoutMillis too."
    );
  }
  // The bridge does not read exportTimeoutMillis: it answers within responseDeadlineMillis.
  return undefined;
}

/** A fixed `concurrency`, or the adaptive range up to `maxConcurrency` (`Capacity`). */
function concurrencyRange(door: Door, fixed: number | undefined, max: number | undefined): CapacityRange {
  if (fixed !== undefined) {
    const value = integer(door, 'concurrency', fixed, 32, 1, MAX_CONCURRENCY);
    return Object.freeze({ initial: value, min: value, max: value });
  }
  const bound = integer(door, 'maxConcurrency', max, 1024, 1, MAX_CONCURRENCY);
  return Object.freeze({ initial: Math.min(128, bound), min: Math.min(4, bound), max: bound });
}

/** OTEL_SDK_DISABLED as the OpenTelemetry spec reads booleans: only "true" (any case) is true; any
 * value but "false" or empty is also told, once. */
function sdkDisabled(value: string | undefined, notices: ConfigNotice[]): boolean {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === 'true') return true;
  if (text !== '' && text !== 'false') {
    notices.push({
      code: 'OPPER_EXPORTER_BAD_ENVIRONMENT',
      message: `OTEL_SDK_DISABLED is ${JSON.stringify(value)}, which is neither "true" nor "false"; it is read as false.`,
    });
  }
  return false;
}

function parseMeterProvider(door: Door, provider: unknown): MeterProvider | undefined {
  if (provider === undefined) return undefined;
  if (provider === null || typeof provider !== 'object' || typeof (provider as MeterProvider).getMeter !== 'function') {
    throw new TypeError(`${door}: meterProvider must be a MeterProvider (an object with getMeter()), got ${describe(provider)}`);
  }
  return provider as MeterProvider;
}

function parseMask(door: Door, mask: unknown): MaskFunction | undefined {
  if (mask !== undefined && typeof mask !== 'function') throw new TypeError(`${door}: mask must be a function, got ${describe(mask)}`);
  return mask as MaskFunction | undefined;
}

/** A string option: undefined or empty (`OPPER_API_KEY=` passed through) counts as unset. */
function optionalString(door: Door, option: unknown, name: string, expected = 'a string'): string | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'string') {
    throw new TypeError(`${door}: ${name} must be ${expected}, got ${describe(option)}`);
  }
  return nonEmpty(option);
}

function optionalBoolean(door: Door, option: unknown, name: string): boolean | undefined {
  if (option === undefined || typeof option === 'boolean') return option;
  throw new TypeError(`${door}: ${name} must be a boolean, got ${describe(option)}`);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** A value as a message shows it: its type when that is what is wrong (`the string "8"`). */
function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function parseBaseUrl(door: Door, value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${door}: ${name} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${door}: ${name} must be http(s), got ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new TypeError(`${door}: ${name} must not contain a query, fragment or credentials`);
  }
  return url.href.replace(/\/+$/, '');
}

/** An integer option of `door` (unset: `fallback`); throws TypeError or RangeError naming it. */
export function integer(door: Door, name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  // The bridge's numbers are mostly typed (flags, environment): it says the whole rule either way.
  const range = `${door === 'opper-otlp-bridge' ? 'an integer ' : ''}between ${min} and ${max}`;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${door}: ${name} must be ${door === 'opper-otlp-bridge' ? range : 'an integer'}, got ${describe(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`${door}: ${name} must be ${range}, got ${value}`);
  return value;
}

/** Who sets the reserved headers, in each door's words. */
const SETS_HEADERS: Readonly<Record<Door, string>> = {
  OpperSpanExporter: 'exporter',
  OpperSpanProcessor: 'processor',
  'opper-otlp-bridge': 'bridge',
};

function parseHeaders(door: Door, headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw new TypeError(`${door}: headers must be an object of strings`);
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') {
      throw new TypeError(`${door}: header ${JSON.stringify(name)} must be a string`);
    }
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
      throw new TypeError(`${door}: header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new TypeError(`${door}: header ${JSON.stringify(name)} is set by the ${SETS_HEADERS[door]}`);
    }
    result[name.toLowerCase()] = value;
  }
  return result;
}
