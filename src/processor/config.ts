import { integer, resolveConfig, type ConnectionConfig, type Door, type OpperExporterOptions } from '../config.js';
import type { SpanFilter } from './filter.js';

/** Options of `OpperSpanProcessor`: every `OpperSpanExporter` option, plus these; every one is optional. */
export interface OpperProcessorOptions extends OpperExporterOptions {
  /** Send a span's create when it starts (soon after, never inside `onStart`) and its PATCH when it
   * ends, so running spans show in Opper. Default true. */
  live?: boolean | undefined;
  /** Which spans to export: `'ai'` (LLM and agent spans, and spans with an `opper.*` attribute),
   * `'all'`, or a function of the span. Decided when the span starts; a span refused then is asked
   * again when it ends. Default `'ai'`. */
  spanFilter?: SpanFilter | undefined;
  /** `'batched'`: requests go out continuously, coalesced over a short delay. `'immediate'`
   * (serverless): every span is sent at once; call `forceFlush()` at the end of each invocation.
   * Default `'batched'`. */
  exportMode?: 'batched' | 'immediate' | undefined;
  /** Ended spans waiting for delivery (or being delivered). Default 10000. */
  maxQueueSize?: number | undefined;
  /** Characters of request bodies those spans hold (about bytes). Default 33554432 (32 MiB). */
  maxQueueBytes?: number | undefined;
  /** A span not delivered this long after it ended is given up. Default 300000 (5 minutes). */
  maxSpanAgeMillis?: number | undefined;
  /** How long `shutdown()` may take to deliver what is queued. Default 10000. */
  shutdownTimeoutMillis?: number | undefined;
  /** Running spans tracked at once (live creates, parents for the filter); past it, new spans are not live. Default 10000. */
  maxLiveSpans?: number | undefined;
}

const DOOR: Door = 'OpperSpanProcessor';

export interface ProcessorConfig {
  readonly connection: ConnectionConfig;
  readonly live: boolean;
  readonly spanFilter: SpanFilter;
  readonly exportMode: 'batched' | 'immediate';
  readonly maxQueueSize: number;
  readonly maxQueueBytes: number;
  readonly maxSpanAgeMillis: number;
  readonly shutdownTimeoutMillis: number;
  readonly maxLiveSpans: number;
}

/** Validates the options (the connection's with `resolveConfig`); throws TypeError/RangeError. */
export function resolveProcessorConfig(options: OpperProcessorOptions = {}, env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const connection = resolveConfig(options, env, DOOR);
  const { live = true, spanFilter = 'ai', exportMode = 'batched' } = options;
  if (typeof live !== 'boolean') throw new TypeError(`OpperSpanProcessor: live must be a boolean, got ${String(live)}`);
  if (spanFilter !== 'ai' && spanFilter !== 'all' && typeof spanFilter !== 'function') {
    throw new TypeError(`OpperSpanProcessor: spanFilter must be 'ai', 'all' or a function, got ${String(spanFilter)}`);
  }
  if (exportMode !== 'batched' && exportMode !== 'immediate') {
    throw new TypeError(`OpperSpanProcessor: exportMode must be 'batched' or 'immediate', got ${String(exportMode)}`);
  }
  return Object.freeze({
    connection,
    live,
    spanFilter,
    exportMode,
    maxQueueSize: integer(DOOR, 'maxQueueSize', options.maxQueueSize, 10_000, 1, 10_000_000),
    maxQueueBytes: integer(DOOR, 'maxQueueBytes', options.maxQueueBytes, 32 * 1024 * 1024, 1024 * 1024, 2 ** 40),
    maxSpanAgeMillis: integer(DOOR, 'maxSpanAgeMillis', options.maxSpanAgeMillis, 300_000, 1, 86_400_000),
    shutdownTimeoutMillis: integer(DOOR, 'shutdownTimeoutMillis', options.shutdownTimeoutMillis, 10_000, 1, 3_600_000),
    maxLiveSpans: integer(DOOR, 'maxLiveSpans', options.maxLiveSpans, 10_000, 0, 10_000_000),
  });
}
