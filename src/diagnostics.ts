import { diag } from '@opentelemetry/api';

/** Codes of the process warnings the exporter emits, once per cause and exporter. */
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
  /** A span with an all-zero or malformed trace or span id was not exported (counted as dropped). */
  InvalidSpanContext: 'OPPER_EXPORTER_INVALID_SPAN_CONTEXT',
} as const;

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

  /** Removes the API key from text that may echo it (a server message, a URL). */
  redact(text: string): string {
    return this.secret ? text.split(this.secret).join('[REDACTED]') : text;
  }
}
