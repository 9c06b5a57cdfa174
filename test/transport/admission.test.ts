// The bound on spans in flight: a delivery past it waits its turn, never longer than its deadline.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Admission } from '../../src/transport/admission.js';
import { SpanSender, type RequestSender } from '../../src/transport/span-sender.js';

afterEach(() => {
  jest.useRealTimers();
});

const late = () => 'late';

describe('Admission', () => {
  it('admits in arrival order as room frees, a delivery of any size when nothing is held', async () => {
    const room = new Admission(10);
    const order: string[] = [];
    expect(await room.take(8, Infinity, late)).toBeUndefined();
    const waiting = [
      room.take(5, Infinity, late).then(() => order.push('5')),
      room.take(1, Infinity, late).then(() => order.push('1')), // fits now, but waits its turn
      room.take(30, Infinity, late).then(() => order.push('30')),
    ];
    await Promise.resolve();
    expect(order).toEqual([]);
    room.release(8);
    await Promise.resolve();
    expect(order).toEqual(['5', '1']);
    expect(room.held).toBe(6);
    room.release(6);
    await Promise.all(waiting);
    expect(order).toEqual(['5', '1', '30']); // alone, past the bound
    expect(room.held).toBe(30);
  });

  it('answers a waiting delivery at its deadline, holding nothing, and lets the next one in', async () => {
    jest.useFakeTimers({ now: 0 });
    const room = new Admission(10);
    await room.take(6, Infinity, late);
    const first = room.take(6, 1000, () => `late with ${room.held} held`);
    const second = room.take(4, 5000, late);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await first).toBe('late with 6 held');
    expect(await second).toBeUndefined();
    expect(room.held).toBe(10);
  });

  it('refuses every waiting delivery at once when told to', async () => {
    const room = new Admission(1);
    await room.take(1, Infinity, late);
    const waiting = [room.take(1, Infinity, late), room.take(1, Infinity, late)];
    room.refuseWaiting('down');
    expect(await Promise.all(waiting)).toEqual(['down', 'down']);
    expect(room.held).toBe(1);
  });
});

describe('SpanSender.admit', () => {
  /** Answers 503 to everything: Opper is down. */
  const down: RequestSender = { request: async () => ({ status: 503, body: '{}' }) };
  const job = (id: string) => ({ id, create: '{}', update: '{}' });

  it('refuses at once past maxPendingSpans once Opper is down, while a delivery is in flight', async () => {
    jest.useFakeTimers({ now: 0 });
    const sender = new SpanSender(down, {
      concurrency: { initial: 4, min: 4, max: 4 },
      timeoutMillis: 400,
      maxPendingSpans: 10,
      shrink: (body) => body,
      baseUrl: 'http://opper.invalid/v2',
      door: 'test',
      onProblem() {},
      redact: (text) => text,
    });
    expect(await sender.admit(8, 60_000)).toBeUndefined();
    const delivery = sender.deliver(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(job), 60_000, 8);
    await jest.advanceTimersByTimeAsync(3000); // eight failures in a row: an outage
    expect(await sender.admit(8, 60_000)).toMatch(/8 spans are still being delivered \(maxPendingSpans 10\) and Opper is unavailable/);
    expect(await sender.admit(2, 60_000)).toBeUndefined(); // what fits still goes
    await jest.advanceTimersByTimeAsync(60_000);
    await delivery;
  });
});
