/**
 * What this process already did for a span: its create landed, or its create and its PATCH. A span
 * sent again (an OTLP client re-sending a batch that was answered "send again", a worker's retry)
 * then only costs what is still missing, so each re-send makes progress instead of starting over.
 * A step still running for an earlier delivery is joined rather than sent a second time.
 *
 * Bounded by count and by bytes, and forgotten after `ttlMillis`: losing it costs requests, never
 * data (a create sent again answers 409, a PATCH sent again sets the same values).
 */
export type SpanProgress = 'created' | 'ended';

export interface DoneSpansLimits {
  /** Spans remembered at most; the oldest go first. */
  maxSpans: number;
  /** Estimated bytes the memory may take (ids and their entries). */
  maxBytes: number;
  /** How long a span is remembered after its last step. */
  ttlMillis: number;
}

// A Map entry, its id string and the boxed number, as V8 lays them out (measured: about 120 bytes
// for a 36-character id); the id's length is added per entry.
const ENTRY_BYTES = 96;

export class DoneSpans {
  // Insertion order is age order: a span touched again moves to the end. The value packs when it
  // was last touched and how far it got (`at * 2 + ended`), so an entry is one number.
  private readonly entries = new Map<string, number>();
  private readonly running = new Map<string, Promise<{ ok: boolean }>>();
  private bytes = 0;

  constructor(
    private readonly limits: DoneSpansLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** How far span `id` got, or undefined when it is not remembered (or was forgotten). */
  progress(id: string): SpanProgress | undefined {
    const packed = this.entries.get(id);
    if (packed === undefined) return undefined;
    if (this.now() - Math.floor(packed / 2) > this.limits.ttlMillis) {
      this.forget(id);
      return undefined;
    }
    return packed % 2 === 1 ? 'ended' : 'created';
  }

  /** Remembers that span `id` got to `progress` (never moves it back from ended to created). */
  record(id: string, progress: SpanProgress): void {
    const ended = progress === 'ended' || this.progress(id) === 'ended';
    this.forget(id);
    this.entries.set(id, this.now() * 2 + (ended ? 1 : 0));
    this.bytes += ENTRY_BYTES + id.length;
    this.evict();
  }

  /**
   * The step that takes span `id` to `progress`: undefined at once when it got there before; else
   * the outcome of the same step still running for another delivery, if that one succeeds; else
   * `run()`'s. A success is remembered.
   */
  async step<T extends { ok: boolean }>(id: string, progress: SpanProgress, run: () => Promise<T>): Promise<T | undefined> {
    const reached = this.progress(id);
    if (reached === 'ended' || reached === progress) return undefined;
    const key = `${progress}:${id}`;
    const earlier = this.running.get(key);
    if (earlier !== undefined && (await earlier).ok) return undefined;
    const work = run();
    this.running.set(key, work);
    try {
      const outcome = await work;
      if (outcome.ok) this.record(id, progress);
      return outcome;
    } finally {
      if (this.running.get(key) === work) this.running.delete(key);
    }
  }

  private forget(id: string): void {
    if (this.entries.delete(id)) this.bytes -= ENTRY_BYTES + id.length;
  }

  private evict(): void {
    const { maxSpans, maxBytes, ttlMillis } = this.limits;
    const oldest = this.now() - ttlMillis;
    for (const [id, packed] of this.entries) {
      if (this.entries.size <= maxSpans && this.bytes <= maxBytes && Math.floor(packed / 2) >= oldest) return;
      this.forget(id);
    }
  }
}
