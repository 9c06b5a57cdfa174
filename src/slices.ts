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

/** A time slice: `spent()` says when its budget is used up; `next()` waits for the next turn of
 * the event loop and starts a new one. */
export interface TimeSlice {
  spent(): boolean;
  next(): Promise<void>;
}

export function slice(): TimeSlice {
  let start = performance.now();
  return {
    spent: () => performance.now() - start >= SLICE_MILLIS,
    next: async () => {
      await nextTurn();
      start = performance.now();
    },
  };
}

/**
 * `items` in runs of one time slice each, `current`'s first: before a run the event loop gets a
 * turn if the slice is spent. Read each run to its end before asking for the next.
 */
export async function* timeSliced<T>(items: Iterable<T>, current: TimeSlice = slice()): AsyncGenerator<Iterable<T>> {
  const rest = items[Symbol.iterator]();
  let next = rest.next();
  function* run(): Generator<T> {
    while (!next.done) {
      yield next.value;
      next = rest.next();
      if (current.spent()) return;
    }
  }
  while (!next.done) {
    if (current.spent()) await current.next();
    yield run();
  }
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
