// Work on the app's thread in time slices: every item handled once, in order, with the event loop
// let turn between slices.
import { describe, expect, it } from '@jest/globals';
import { timeSliced } from '../src/slices.js';

describe('timeSliced', () => {
  it('hands every item once, in order, and yields to the event loop once a slice is spent', async () => {
    const seen: number[] = [];
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    let runs = 0;
    for await (const run of timeSliced([1, 2, 3, 4, 5])) {
      runs++;
      for (const item of run) {
        seen.push(item);
        const until = performance.now() + 6; // two items spend a 10 ms slice
        while (performance.now() < until);
      }
    }
    clearInterval(ticking);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(runs).toBe(3);
    expect(turns).toBeGreaterThan(0);
  });

  it('hands nothing for no items', async () => {
    let runs = 0;
    for await (const _ of timeSliced([])) runs++;
    expect(runs).toBe(0);
  });
});
