/**
 * What the span filter remembers of spans that ended, so that a span starting after its ancestors
 * ended (a fire-and-forget task) still names an exported parent: per span, the hex id its exported
 * descendants name. Bounded by count and expiring, as the running-span map is bounded.
 */
export class EndedSpans {
  /** In the order they ended, oldest first. */
  private readonly links = new Map<string, { link: string | null; at: number }>();

  constructor(
    private readonly maxSpans: number,
    private readonly keepMillis: number,
  ) {}

  /** `link`: the span's own hex id when it was exported, else its nearest exported ancestor's. */
  remember(spanHex: string, link: string | null, now: number): void {
    if (this.maxSpans === 0) return;
    this.links.delete(spanHex);
    this.links.set(spanHex, { link, at: now });
    // The oldest go first: past the count, or past their time.
    for (const [oldest, { at }] of this.links) {
      if (this.links.size <= this.maxSpans && now - at < this.keepMillis) break;
      this.links.delete(oldest);
    }
  }

  /** The link of a span that ended lately; undefined when unknown or forgotten. */
  linkOf(spanHex: string, now: number): string | null | undefined {
    const ended = this.links.get(spanHex);
    if (ended === undefined || now - ended.at >= this.keepMillis) return undefined;
    return ended.link;
  }
}
