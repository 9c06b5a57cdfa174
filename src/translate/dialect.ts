/**
 * What every LLM dialect shares: the view of a span it reads, its shape, and the helpers that mark
 * attributes consumed. Its own module so that llm.ts (which lists the dialects) and the dialects
 * (which use these) depend on it one way, never on each other.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpanLike, TimedEventLike } from './types.js';
import { asText } from './values.js';

/** What a dialect sees of one span. */
export interface DialectContext {
  readonly span: ReadableSpanLike;
  readonly attributes: Attributes;
  /** Attributes that became type, input, output or score; meta leaves them out. A rule adds the keys it used. */
  readonly consumed: Set<string>;
  /** Span events whose attributes (these keys) became input or output; `otel.events` leaves those attributes out. */
  readonly consumedEvents: Map<TimedEventLike, Set<string>>;
}

/** The attribute as text, marked consumed (left out of meta) when present. */
export function takeText(ctx: DialectContext, key: string): string | undefined {
  const text = asText(ctx.attributes[key]);
  if (text !== undefined) ctx.consumed.add(key);
  return text;
}

/** Marks the given attributes of a span event as having become input or output. */
export function consumeEvent(ctx: DialectContext, event: TimedEventLike, keys: Iterable<string>): void {
  let set = ctx.consumedEvents.get(event);
  if (set === undefined) ctx.consumedEvents.set(event, (set = new Set()));
  for (const key of keys) set.add(key);
}

/** One dialect. Every rule is optional and returns undefined when the span is not in this dialect. */
export interface Dialect {
  readonly name: string;
  /** The Opper type (`llm`, `tool`, ...). */
  type?(ctx: DialectContext): string | undefined;
  /** The input as text (already cleaned: see values.ts `asText`). */
  input?(ctx: DialectContext): string | undefined;
  /** The output as text (already cleaned). */
  output?(ctx: DialectContext): string | undefined;
  /** Adds JSON-safe entries to meta (e.g. model and usage under stable keys), after the attributes are copied. */
  meta?(ctx: DialectContext, meta: Record<string, unknown>): void;
}
