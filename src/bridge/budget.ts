/**
 * Work in flight, bounded by spans and by bytes. Bytes are taken before a body is read (its
 * declared size, or as it streams in), spans before it is delivered (at most `maxSpans` for a
 * request of any size, which is then taken in turns): what is past the bound is refused, never queued. When nothing is held, anything fits (one request always gets in).
 */
export class Budget {
  private spans = 0;
  private bytes = 0;
  /** The most held at once, for stats: it shows the bound held under load. */
  peakSpans = 0;
  peakBytes = 0;

  /** `costPerBodyByte`: the memory a byte of body takes in all, once decoded and translated. */
  constructor(
    readonly maxSpans: number,
    readonly maxBytes: number,
    readonly costPerBodyByte = 1,
  ) {}

  get pendingSpans(): number {
    return this.spans;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  /** True when nothing more fits: a request is then refused before its body is even read. */
  full(): boolean {
    return this.spans >= this.maxSpans || this.bytes >= this.maxBytes;
  }

  /** Room for one request's body, `bytes` of it now; undefined when it does not fit. */
  admit(bytes: number): BytesTicket | undefined {
    const ticket = new BytesTicket(this);
    return ticket.grow(bytes) ? ticket : undefined;
  }

  /** Takes room for `spans`, or returns false. */
  takeSpans(spans: number): boolean {
    if (this.spans > 0 && this.spans + spans > this.maxSpans) return false;
    this.spans += spans;
    this.peakSpans = Math.max(this.peakSpans, this.spans);
    return true;
  }

  releaseSpans(spans: number): void {
    this.spans -= spans;
  }

  /** @internal for BytesTicket */
  moveBytes(delta: number): void {
    this.bytes += delta;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
  }
}

/** The body bytes one request holds (each costing `costPerBodyByte` in the budget); it grows as the body arrives (and decompresses). */
export class BytesTicket {
  private held = 0;

  constructor(private readonly budget: Budget) {}

  /** Body bytes held. */
  get bytes(): number {
    return this.held;
  }

  /** Takes `bytes` more, or returns false (then nothing is taken). Alone in the budget, a ticket always grows. */
  grow(bytes: number): boolean {
    const { budget } = this;
    const cost = bytes * budget.costPerBodyByte;
    const alone = budget.pendingBytes === this.held * budget.costPerBodyByte;
    if (!alone && budget.pendingBytes + cost > budget.maxBytes) return false;
    this.held += bytes;
    budget.moveBytes(cost);
    return true;
  }

  /** Gives back `bytes` (all by default). */
  release(bytes = this.held): void {
    const freed = Math.min(bytes, this.held);
    this.held -= freed;
    this.budget.moveBytes(-freed * this.budget.costPerBodyByte);
  }
}
