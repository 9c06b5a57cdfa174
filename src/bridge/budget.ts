/** Work in flight, bounded by spans and by bytes: what is past the bound is refused, never queued. */
export class Budget {
  private spans = 0;
  private bytes = 0;
  /** The most held at once, for stats: it shows the bound held under load. */
  peakSpans = 0;
  peakBytes = 0;

  constructor(
    readonly maxSpans: number,
    readonly maxBytes: number,
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

  /** Takes room for `spans` and `bytes`, or returns false. One request always fits when nothing is held. */
  take(spans: number, bytes: number): boolean {
    const idle = this.spans === 0 && this.bytes === 0;
    if (!idle && (this.spans + spans > this.maxSpans || this.bytes + bytes > this.maxBytes)) return false;
    this.spans += spans;
    this.bytes += bytes;
    this.peakSpans = Math.max(this.peakSpans, this.spans);
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    return true;
  }

  release(spans: number, bytes: number): void {
    this.spans -= spans;
    this.bytes -= bytes;
  }
}
