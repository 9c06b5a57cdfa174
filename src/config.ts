import type { MaskFunction } from './translate/mask.js';

/** Options of `OpperSpanExporter`; every one is optional. */
export interface OpperExporterOptions {
  /** Opper API key. Default: the `OPPER_API_KEY` environment variable. */
  apiKey?: string;
  /** API base URL. Default: `OPPER_BASE_URL`, then `https://api.opper.ai/v2`. */
  baseUrl?: string;
  /** Timeout of one HTTP request, in ms. Default 10000. */
  timeoutMillis?: number;
  /** Deadline of one `export()` call, retries included, in ms. Keep it below the span processor's
   * `exportTimeoutMillis` (30000 by default). Default 20000. */
  exportTimeoutMillis?: number;
  /** Requests in flight at once, across all concurrent exports. Default 32. */
  concurrency?: number;
  /** Spans held across exports still being delivered; an export that would exceed it fails at once.
   * Bounds memory when Opper is down and the span processor keeps exporting. Default 4096. */
  maxPendingSpans?: number;
  /** Extra HTTP headers sent with every request. */
  headers?: Record<string, string>;
  /** Upper bound of one request body in bytes; larger values are truncated. Default 524288. */
  maxBodyBytes?: number;
  /** Called for every content-bearing string after translation (input, output, error, every string
   * in meta); returns what to send instead (undefined: leave it out). If it throws, the string is
   * replaced by `[redacted: mask threw]`. */
  mask?: MaskFunction | undefined;
}

/** The validated, frozen form of the options that the rest of the exporter reads. */
export interface ExporterConfig {
  readonly apiKey: string | undefined;
  readonly baseUrl: string;
  readonly timeoutMillis: number;
  readonly exportTimeoutMillis: number;
  readonly concurrency: number;
  readonly maxPendingSpans: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  readonly mask: MaskFunction | undefined;
}

export const DEFAULT_BASE_URL = 'https://api.opper.ai/v2';
// The server refuses bodies over 1 MiB; stay well under it so headers and escaping never tip it over.
const SERVER_BODY_LIMIT = 1024 * 1024;
// Below this, a span's identity, timing and markers may not fit.
const MIN_BODY_BYTES = 4096;
const RESERVED_HEADERS = new Set(['authorization', 'content-type', 'content-length', 'host']);

/** Merges options with the environment and validates them; throws TypeError/RangeError. */
export function resolveConfig(
  options: OpperExporterOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ExporterConfig {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('OpperSpanExporter: options must be an object');
  }
  const apiKey = pick(options.apiKey, env.OPPER_API_KEY, 'apiKey');
  const baseUrl = parseBaseUrl(pick(options.baseUrl, env.OPPER_BASE_URL, 'baseUrl') ?? DEFAULT_BASE_URL);
  const timeoutMillis = integer('timeoutMillis', options.timeoutMillis, 10_000, 1, 600_000);
  const exportTimeoutMillis = integer('exportTimeoutMillis', options.exportTimeoutMillis, 20_000, 1, 3_600_000);
  const concurrency = integer('concurrency', options.concurrency, 32, 1, 1024);
  const maxPendingSpans = integer('maxPendingSpans', options.maxPendingSpans, 4096, 1, 10_000_000);
  const maxBodyBytes = integer('maxBodyBytes', options.maxBodyBytes, 512 * 1024, MIN_BODY_BYTES, SERVER_BODY_LIMIT);
  return Object.freeze({
    apiKey,
    baseUrl,
    timeoutMillis,
    exportTimeoutMillis,
    concurrency,
    maxPendingSpans,
    headers: Object.freeze(parseHeaders(options.headers)),
    maxBodyBytes,
    mask: parseMask(options.mask),
  });
}

function parseMask(mask: unknown): MaskFunction | undefined {
  if (mask !== undefined && typeof mask !== 'function') throw new TypeError('OpperSpanExporter: mask must be a function');
  return mask as MaskFunction | undefined;
}

/** An explicit option wins; an empty environment variable counts as unset. */
function pick(option: unknown, fromEnv: string | undefined, name: string): string | undefined {
  if (option !== undefined) {
    if (typeof option !== 'string' || option.trim() === '') {
      throw new TypeError(`OpperSpanExporter: ${name} must be a non-empty string`);
    }
    return option.trim();
  }
  const value = fromEnv?.trim();
  return value ? value : undefined;
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`OpperSpanExporter: baseUrl is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`OpperSpanExporter: baseUrl must be http(s), got ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new TypeError('OpperSpanExporter: baseUrl must not contain a query, fragment or credentials');
  }
  return url.href.replace(/\/+$/, '');
}

export function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`OpperSpanExporter: ${name} must be an integer, got ${String(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`OpperSpanExporter: ${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function parseHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw new TypeError('OpperSpanExporter: headers must be an object of strings');
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') {
      throw new TypeError(`OpperSpanExporter: header ${JSON.stringify(name)} must be a string`);
    }
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
      throw new TypeError(`OpperSpanExporter: header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new TypeError(`OpperSpanExporter: header ${JSON.stringify(name)} is set by the exporter`);
    }
    result[name.toLowerCase()] = value;
  }
  return result;
}
