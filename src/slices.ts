/**
 * Work on the app's thread in slices: each slice runs for at most about `SLICE_MILLIS` (plus one
 * item's cost, which callers bound by the body budget), then yields to the event loop, so a burst
 * of big spans never holds it up for long.
 */
export const SLICE_MILLIS = 10;

/** Resolves at the next turn of the event loop, after pending I/O (a timer where there is no
 * setImmediate: Workers, Vercel Edge). */
export const nextTurn = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** A time slice: `spent()` says when its budget is used up. */
export function slice(): { spent(): boolean } {
  const start = performance.now();
  return { spent: () => performance.now() - start >= SLICE_MILLIS };
}

/**
 * A FIFO of items handled in slices, each slice at its own turn of the event loop (never inside
 * the `push` that queued it).
 */
export class SlicedQueue<T> {
  private items: T[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly handle: (item: T) => void) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.running ??= this.run();
  }

  /** Resolves once every item pushed so far has been handled. */
  done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Takes out the items not handled yet. */
  drop(): T[] {
    const left = this.items;
    this.items = [];
    return left;
  }

  private async run(): Promise<void> {
    while (this.items.length > 0) {
      await nextTurn();
      const current = slice();
      let taken = 0;
      while (taken < this.items.length && !current.spent()) this.handle(this.items[taken++]!);
      this.items.splice(0, taken);
    }
    this.running = undefined;
  }
}
