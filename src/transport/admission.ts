/** A delivery waiting for room: told undefined once admitted, or why it was not. */
interface Waiter {
  readonly count: number;
  readonly answer: (refusal: string | undefined) => void;
}

/**
 * Spans held by deliveries in flight, bounded by `max`. A delivery past the bound waits its turn,
 * first come, first served, until room frees or its deadline passes; a delivery of any size fits
 * when nothing is held. A waiting delivery costs a closure here: what it will send is made only
 * once it is admitted.
 */
export class Admission {
  private spans = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly max: number) {}

  /** Spans held now. */
  get held(): number {
    return this.spans;
  }

  fits(count: number): boolean {
    return this.spans === 0 || this.spans + count <= this.max;
  }

  /** Holds `count` spans at once, fitting or not: for deliveries that their caller bounds. */
  force(count: number): void {
    this.spans += count;
  }

  /**
   * Holds `count` spans once they fit and every delivery waiting before has been admitted.
   * Resolves with undefined once held, or at `deadline` with `late()`, holding nothing.
   */
  take(count: number, deadline: number, late: () => string): Promise<string | undefined> {
    if (this.queue.length === 0 && this.fits(count)) {
      this.spans += count;
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          resolve(late());
          this.admit(); // the one that timed out may have been holding up the line
        },
        Math.max(0, deadline - Date.now()),
      );
      const waiter: Waiter = {
        count,
        answer: (refusal) => {
          clearTimeout(timer);
          resolve(refusal);
        },
      };
      this.queue.push(waiter);
    });
  }

  release(count: number): void {
    this.spans -= count;
    this.admit();
  }

  /** Answers every delivery still waiting with `why`. */
  refuseWaiting(why: string): void {
    for (const waiter of this.queue.splice(0)) waiter.answer(why);
  }

  private admit(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]!.count)) {
      const waiter = this.queue.shift()!;
      this.spans += waiter.count;
      waiter.answer(undefined);
    }
  }
}
