/**
 * Bounds the requests in flight. Waiters are served first-come, first-served, except that
 * `urgent` ones (a span's PATCH, which finishes a span already begun) go before the rest.
 */
export class Limiter {
  private active = 0;
  private readonly urgent: Array<() => void> = [];
  private readonly normal: Array<() => void> = [];

  constructor(private bound: number) {}

  get inFlight(): number {
    return this.active;
  }

  /** Whether a task run now starts at once. */
  get free(): boolean {
    return this.active < this.bound && this.urgent.length === 0 && this.normal.length === 0;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.urgent.length + this.normal.length;
  }

  /** The bound now. */
  get limit(): number {
    return this.bound;
  }

  /** Changes the bound; waiters start at once if the new bound allows. */
  setLimit(limit: number): void {
    if (limit === this.bound) return;
    this.bound = limit;
    this.drain();
  }

  /** Runs `task` once a slot is free. */
  async run<T>(task: () => Promise<T>, urgent = false): Promise<T> {
    if (this.free) {
      this.active++;
    } else {
      await new Promise<void>((resolve) => {
        (urgent ? this.urgent : this.normal).push(resolve);
        this.drain();
      });
    }
    try {
      return await task();
    } finally {
      this.active--;
      this.drain();
    }
  }

  private drain(): void {
    while (this.active < this.bound) {
      const next = this.urgent.shift() ?? this.normal.shift();
      if (!next) return;
      this.active++;
      next();
    }
  }
}
