/**
 * The package on runtimes without Node's HTTP stack (Cloudflare Workers, Vercel Edge and Next.js
 * middleware), chosen by the `workerd`, `edge-light`, `worker` and `browser` export conditions:
 * `OpperSpanExporter` over the platform's `fetch`, the same translation, retries and warnings (on
 * the console). Nothing here imports Node, a worker thread or an HTTP library, and nothing runs
 * between exports: flush inside the request (`ctx.waitUntil(provider.forceFlush())`).
 */
import type { OpperExporterOptions } from './config.js';
import { startFetchEngine } from './engine-fetch.js';
import { SpanExporterDoor } from './exporter.js';

/** OpenTelemetry `SpanExporter` that sends each ended span to Opper as a create and a PATCH, over fetch. */
export class OpperSpanExporter extends SpanExporterDoor {
  constructor(options: OpperExporterOptions = {}) {
    super({ startEngine: startFetchEngine, background: false }, options);
  }
}

export type { OpperExporterStats } from './exporter.js';
export { DEFAULT_BASE_URL, type OpperExporterOptions } from './config.js';
export { WarningCode } from './diagnostics.js';
export { ATTR_OPPER_INPUT, ATTR_OPPER_OUTPUT, ATTR_OPPER_SCORE, ATTR_OPPER_TYPE } from './translate/attributes.js';
export { toOpperSpanId, toOpperTraceId } from './translate/ids.js';
export type { ReadableSpanLike, TimedEventLike } from './translate/types.js';
export { MASK_FAILED_MARKER, type MaskField, type MaskFunction, type MaskInfo } from './translate/mask.js';
