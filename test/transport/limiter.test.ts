import { describe, expect, it } from '@jest/globals';
import { Limiter } from '../../src/transport/limiter.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('Limiter', () => {
  it('never runs more than the limit and serves urgent waiters first', async () => {
    const limiter = new Limiter(2);
    const started: string[] = [];
    let peak = 0;
    const gates = new Map<string, ReturnType<typeof gate>>();
    const task = (name: string, urgent = false) => {
      gates.set(name, gate());
      return limiter.run(async () => {
        started.push(name);
        peak = Math.max(peak, limiter.inFlight);
        await gates.get(name)!.opened;
      }, urgent);
    };
    const all = [task('a'), task('b'), task('c'), task('d'), task('urgent', true)];
    await tick();
    expect(started).toEqual(['a', 'b']);
    gates.get('a')!.open();
    await tick();
    expect(started).toEqual(['a', 'b', 'urgent']);
    for (const g of gates.values()) g.open();
    await Promise.all(all);
    expect(started).toEqual(['a', 'b', 'urgent', 'c', 'd']);
    expect(peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot when a task throws, and starts waiters when the limit grows', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const g = gate();
    const first = limiter.run(() => g.opened);
    let secondStarted = false;
    const second = limiter.run(async () => {
      secondStarted = true;
    });
    await tick();
    expect(secondStarted).toBe(false);
    limiter.setLimit(2);
    await tick();
    expect(secondStarted).toBe(true);
    g.open();
    await Promise.all([first, second]);
  });
});
