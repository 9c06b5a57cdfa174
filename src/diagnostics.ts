import { diag } from '@opentelemetry/api';

/** Codes of the process warnings every door emits, once per cause and door (exporter, processor or bridge). */
export const WarningCode = {
  MissingApiKey: 'OPPER_EXPORTER_NO_API_KEY',
  KeyRejected: 'OPPER_EXPORTER_KEY_REJECTED',
  Forbidden: 'OPPER_EXPORTER_FORBIDDEN',
  MaskThrew: 'OPPER_EXPORTER_MASK_THREW',
  /** OpperSpanProcessor: the spanFilter function threw (the span was exported). */
  FilterThrew: 'OPPER_EXPORTER_FILTER_THREW',
  /** OpperSpanProcessor: spans not delivered within `maxSpanAgeMillis`. */
  SpansExpired: 'OPPER_EXPORTER_SPANS_EXPIRED',
  /** OpperSpanProcessor: spans refused because the queue was full. */
  QueueFull: 'OPPER_EXPORTER_QUEUE_FULL',
  /** OpperSpanProcessor: spans Opper refused (4xx other than 401/403). */
  SpansRejected: 'OPPER_EXPORTER_SPANS_REJECTED',
  /** OpperSpanProcessor: spans still queued, or ended, after shutdown. */
  SpansLostAtShutdown: 'OPPER_EXPORTER_SPANS_LOST_AT_SHUTDOWN',
  BadEnvironment: 'OPPER_EXPORTER_BAD_ENVIRONMENT',
  /** The delivery worker thread died; a new one was started. */
  WorkerStopped: 'OPPER_EXPORTER_WORKER_STOPPED',
  /** Opper asked (Retry-After) for a longer wait than the exporter ever makes (5 s). */
  RetryAfterCapped: 'OPPER_EXPORTER_RETRY_AFTER_CAPPED',
  /** A 2xx that is not Opper's JSON: a captive portal, a proxy, another service. */
  UnexpectedReply: 'OPPER_EXPORTER_UNEXPECTED_REPLY',
  /** HTTP 404 on a create: the base URL does not point at Opper's API (e.g. no `/v2`). */
  WrongBaseUrl: 'OPPER_EXPORTER_WRONG_BASE_URL',
  /** HTTP 3xx: the base URL redirects (e.g. http to https); redirects are not followed. */
  Redirected: 'OPPER_EXPORTER_REDIRECTED',
  /** The TLS certificate is not trusted; delivery stops until it is. */
  TlsUntrusted: 'OPPER_EXPORTER_TLS_UNTRUSTED',
  /** Spans arrive faster than Opper accepts them (requests at their bound, 429s, or exports
   * waiting for room; for the exporter, a BatchSpanProcessor whose queue does not drain). */
  FallingBehind: 'OPPER_EXPORTER_FALLING_BEHIND',
  /** Connection refused, DNS failure...: retried, but said once. */
  Unreachable: 'OPPER_EXPORTER_UNREACHABLE',
  /** The TLS handshake failed (e.g. `https://` at a plain-http server): retried, but said once. */
  TlsHandshake: 'OPPER_EXPORTER_TLS_HANDSHAKE',
  /** A request got no answer within its timeout (a server that accepts and never replies): retried, but said once. */
  NoAnswer: 'OPPER_EXPORTER_NO_ANSWER',
  /** A request failed at the forward proxy: refused, unresolvable, or answered CONNECT with an error (407...). */
  ProxyFailed: 'OPPER_EXPORTER_PROXY_FAILED',
  /** OpperSpanExporter: spans whose create landed and whose PATCH (their end) was given up. */
  PatchesGivenUp: 'OPPER_EXPORTER_PATCHES_GIVEN_UP',
  /** A span with an all-zero or malformed trace or span id was not exported (counted as dropped). */
  InvalidSpanContext: 'OPPER_EXPORTER_INVALID_SPAN_CONTEXT',
  /** No span reached the door and no tracer provider is registered with `@opentelemetry/api`. */
  NoTracerProvider: 'OPPER_EXPORTER_NO_TRACER_PROVIDER',
  /** No span reached the door, and the provider was registered through another, incompatible copy of `@opentelemetry/api`. */
  ApiCopies: 'OPPER_EXPORTER_API_COPIES',
  /** No span reached the door, and the registered provider is Sentry's, which sends spans to Sentry only. */
  SentryTracerProvider: 'OPPER_EXPORTER_SENTRY_TRACER_PROVIDER',
} as const;

/** Keys shorter than this are not redacted from messages (see `Warnings.redact`). */
export const MIN_REDACTED_LENGTH = 8;

/**
 * Tells the user about a misconfiguration in a way they will see: `diag` is silent unless a diag
 * logger is installed, so a process warning goes out as well. Never includes the API key.
 */
export class Warnings {
  private readonly emitted = new Set<string>();
  private printing = false;

  constructor(private readonly secret: string | undefined) {}

  once(code: string, message: string): void {
    if (this.emitted.has(code)) return;
    this.emitted.add(code);
    const text = this.redact(message);
    diag.error(text);
    // Workers and Vercel Edge have no process warnings (nor setImmediate): say it on the console.
    if (typeof globalThis.process?.emitWarning !== 'function') {
      console.warn(`(${code}) ${text}`);
      return;
    }
    process.emitWarning(text, { code, type: 'OpperExporterWarning' });
    // Node prints the warning on the next tick; until then `printed()` holds results back.
    this.printing = true;
    setImmediate(() => (this.printing = false)).unref();
  }

  /** Resolves once every warning emitted so far has been printed, so that an app that exits
   * right after a failed export or shutdown still shows the cause. */
  printed(): Promise<void> {
    return this.printing ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve();
  }

  /** Removes the API key from text that may echo it (a server message, a URL). A value shorter
   * than MIN_REDACTED_LENGTH is no real key (a placeholder such as `k`): replacing it would garble
   * every message. */
  redact(text: string): string {
    return this.secret !== undefined && this.secret.length >= MIN_REDACTED_LENGTH ? text.split(this.secret).join('[REDACTED]') : text;
  }
}
