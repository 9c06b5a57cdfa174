import { randomUUID } from 'node:crypto';
import type { StoredSpan, TraceView } from './types.js';
import { parseDateTime } from './validate.js';

const INPUT_TOKENS = 'gen_ai.usage.input_tokens';
const OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** The fields a PATCH may replace. */
const UPDATABLE = ['name', 'type', 'start_time', 'end_time', 'input', 'output', 'error', 'meta', 'score'] as const;

/** Spans by id, a trace index and per-id write counters; bodies given here are already validated. */
export class SpanStore {
  /** Keyed by lower-case id: UUIDs are case-insensitive, as on a server that parses them. */
  readonly spans = new Map<string, StoredSpan>();
  readonly #traces = new Map<string, string[]>();
  readonly #creates = new Map<string, number>();
  readonly #patches = new Map<string, number>();

  get(id: string): StoredSpan | undefined {
    return this.spans.get(id.toLowerCase());
  }

  /** Stores a validated create body; undefined when its id already exists. */
  create(body: Record<string, unknown>): StoredSpan | undefined {
    const id = typeof body.id === 'string' ? body.id.toLowerCase() : randomUUID();
    if (this.spans.has(id)) return undefined;
    const span: StoredSpan = {
      id,
      name: body.name as string,
      trace_id: lowerOrNull(body.trace_id),
      parent_id: lowerOrNull(body.parent_id),
      type: (body.type as string | undefined) ?? null,
      start_time: (body.start_time as string | undefined) ?? null,
      end_time: (body.end_time as string | undefined) ?? null,
      input: body.input ?? null,
      output: body.output ?? null,
      error: (body.error as string | undefined) ?? null,
      meta: (body.meta as Record<string, unknown> | undefined) ?? null,
      score: (body.score as number | undefined) ?? null,
    };
    this.spans.set(id, span);
    this.#creates.set(id, (this.#creates.get(id) ?? 0) + 1);
    if (span.trace_id !== null) {
      const ids = this.#traces.get(span.trace_id);
      if (ids) ids.push(id);
      else this.#traces.set(span.trace_id, [id]);
    }
    return span;
  }

  /** Applies a validated PATCH body (each field sent replaces the stored one); undefined for an unknown id. */
  update(id: string, body: Record<string, unknown>): StoredSpan | undefined {
    const key = id.toLowerCase();
    const current = this.spans.get(key);
    if (!current) return undefined;
    const changes = Object.fromEntries(UPDATABLE.filter((field) => Object.hasOwn(body, field)).map((field) => [field, body[field]]));
    // A new object, so snapshots a caller took earlier do not change under it.
    const updated = { ...current, ...changes } as StoredSpan;
    this.spans.set(key, updated);
    this.#patches.set(key, (this.#patches.get(key) ?? 0) + 1);
    return updated;
  }

  creates(id: string): number {
    return this.#creates.get(id.toLowerCase()) ?? 0;
  }

  patches(id: string): number {
    return this.#patches.get(id.toLowerCase()) ?? 0;
  }

  traceIds(): string[] {
    return [...this.#traces.keys()];
  }

  trace(traceId: string): TraceView | undefined {
    const id = traceId.toLowerCase();
    const ids = this.#traces.get(id);
    if (!ids) return undefined;
    const spans = ids
      .map((spanId, order) => ({ span: this.spans.get(spanId)!, order, start: timeOf(this.spans.get(spanId)!.start_time) }))
      .sort((a, b) => a.start - b.start || a.order - b.order)
      .map((entry) => entry.span);
    const root = spans.find((span) => span.parent_id === null) ?? spans[0]!;
    const start = root.start_time ?? spans.find((span) => span.start_time !== null)?.start_time ?? null;
    let end: string | null = null;
    let tokens: number | null = null;
    for (const span of spans) {
      if (span.end_time !== null && (end === null || timeOf(span.end_time) > timeOf(end))) end = span.end_time;
      for (const key of [INPUT_TOKENS, OUTPUT_TOKENS]) {
        const count = span.meta?.[key];
        if (typeof count === 'number' && Number.isFinite(count)) tokens = (tokens ?? 0) + count;
      }
    }
    return {
      id,
      name: root.name,
      start_time: start,
      end_time: end,
      duration_ms: start !== null && end !== null ? Math.round(timeOf(end) - timeOf(start)) : null,
      status: spans.some((span) => span.error !== null) ? 'error' : 'success',
      input: root.input,
      output: root.output,
      total_tokens: tokens,
      spans,
    };
  }

  clear(): void {
    this.spans.clear();
    this.#traces.clear();
    this.#creates.clear();
    this.#patches.clear();
  }
}

function lowerOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value.toLowerCase() : null;
}

/** Epoch ms of a stored (already validated) time; spans without one sort last. */
function timeOf(value: string | null): number {
  if (value === null) return Infinity;
  const parsed = parseDateTime(value);
  return 'ms' in parsed ? parsed.ms : Infinity;
}
