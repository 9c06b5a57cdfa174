import { describe, expect, it, jest } from '@jest/globals';
import { SpanQueue, type SpanQueueOptions } from '../../src/transport/span-queue.js';
import type { DeliveryReport, SpanJob } from '../../src/transport/span-sender.js';

/** A sender that fails every job at its deadline, as one does during an outage. */
const down = {
  deliver: async (jobs: readonly SpanJob[]): Promise<DeliveryReport> => ({
    delivered: 0,
    failures: jobs.map((j) => ({ id: j.id, reason: 'deadline' as const, detail: 'HTTP 503', unsent: false, created: false })),
  }),
};

function queue(options: Partial<SpanQueueOptions> = {}) {
  const losses: Record<string, number> = {};
  const q = new SpanQueue(down, {
    maxQueueSize: 3,
    maxQueueBytes: 1 << 20,
    maxSpanAgeMillis: 60_000,
    attemptMillis: 1000,
    delayMillis: 10,
    maxInFlight: 8,
    onDelivered: () => undefined,
    onLoss: (reason, count) => (losses[reason] = (losses[reason] ?? 0) + count),
    ...options,
  });
  return { q, losses };
}

describe('SpanQueue', () => {
  it('refuses what does not fit, by count and by bytes, and counts it', () => {
    const { q, losses } = queue();
    for (let i = 0; i < 5; i++) q.add({ id: `s${i}`, create: '{}', update: '{}' });
    expect(q.size.spans).toBe(3);
    expect(losses).toEqual({ 'queue-full': 2 });
    const small = queue({ maxQueueSize: 100, maxQueueBytes: 10 });
    small.q.add({ id: 'big', create: 'x'.repeat(11) });
    expect(small.losses).toEqual({ 'queue-full': 1 });
  });

  it('retries through an outage and gives a span up only once it is older than maxSpanAgeMillis', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const { q, losses } = queue({ maxSpanAgeMillis: 30_000 });
      q.add({ id: 'a', create: '{}', update: '{}' });
      await jest.advanceTimersByTimeAsync(29_000);
      expect(losses).toEqual({});
      expect(q.size.spans).toBe(1);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(losses).toEqual({ expired: 1 });
      expect(q.size).toEqual({ spans: 0, bytes: 0 });
    } finally {
      jest.useRealTimers();
    }
  });

  /** A sender that delivers every job, and the jobs it was handed, in order. */
  function healthy() {
    const handed: string[] = [];
    const sender = {
      deliver: async (jobs: readonly SpanJob[]): Promise<DeliveryReport> => {
        handed.push(...jobs.map((j) => j.id));
        return { delivered: jobs.length, failures: [] };
      },
    };
    return { sender, handed };
  }
  const options = (delayMillis: number): SpanQueueOptions => ({
    maxQueueSize: 100,
    maxQueueBytes: 1 << 20,
    maxSpanAgeMillis: 60_000,
    attemptMillis: 1000,
    delayMillis,
    maxInFlight: 8,
    onDelivered: () => undefined,
    onLoss: () => undefined,
  });
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it("delayMillis 0 ('immediate'): a job is handed over at the next turn of the event loop; a delay coalesces", async () => {
    const immediate = healthy();
    const now = new SpanQueue(immediate.sender, options(0));
    now.add({ id: 'now', create: '{}', update: '{}' });
    const batched = healthy();
    const later = new SpanQueue(batched.sender, options(60_000));
    later.add({ id: 'later', create: '{}', update: '{}' });
    await nextTurn();
    expect(immediate.handed).toEqual(['now']);
    expect(batched.handed).toEqual([]);
    now.close();
    later.close(); // no timer left to fire after this file
  });

  it("a live span's end counts against maxQueueBytes whether its create waits or is in flight; what does not fit is given up once, counted", async () => {
    let answer: (report: DeliveryReport) => void = () => undefined;
    const handed: SpanJob[][] = [];
    // Holds each delivery until the test answers it: the create stays in flight meanwhile.
    const held = {
      deliver: (jobs: readonly SpanJob[]) =>
        new Promise<DeliveryReport>((resolve) => {
          handed.push([...jobs]);
          answer = resolve;
        }),
    };
    const losses: Record<string, number> = {};
    let delivered = 0;
    const q = new SpanQueue(held, {
      ...options(60_000),
      maxQueueBytes: 1000,
      onDelivered: (count) => (delivered += count),
      onLoss: (reason, count) => (losses[reason] = (losses[reason] ?? 0) + count),
    });
    // Waiting: an end of 2 × 600 bytes replacing a 10-byte create does not fit.
    const waiting = q.add({ id: 'waiting', create: 'x'.repeat(10) })!;
    q.finish(waiting, { create: 'c'.repeat(600), update: 'u'.repeat(600) });
    expect(q.size).toEqual({ spans: 0, bytes: 0 });
    expect(losses).toEqual({ 'queue-full': 1 });
    // In flight: its end waits beside it, counted, and a second one does not fit beside that.
    const small = q.add({ id: 'small', create: 'x'.repeat(10) })!;
    const big = q.add({ id: 'big', create: 'x'.repeat(10) })!;
    const flushed = q.flush(Date.now() + 60_000);
    await nextTurn();
    expect(handed.flat().map((job) => job.id)).toEqual(['small', 'big']);
    q.finish(small, { update: 'u'.repeat(500) });
    expect(q.size).toEqual({ spans: 2, bytes: 520 });
    q.finish(big, { update: 'u'.repeat(500) });
    expect(q.size.bytes).toBeLessThanOrEqual(1000);
    expect(losses).toEqual({ 'queue-full': 2 });
    // The creates land: the small span's end goes, the big one is settled without being counted again.
    answer({ delivered: 2, failures: [] });
    while (handed.length < 2) await nextTurn();
    answer({ delivered: 1, failures: [] });
    await flushed;
    expect(handed[1]!.map((job) => [job.id, job.update?.length])).toEqual([['small', 500]]);
    expect([delivered, losses, q.size]).toEqual([1, { 'queue-full': 2 }, { spans: 0, bytes: 0 }]);
    q.close();
  });

  it('close counts what is in flight as lost, at once, and ignores its late outcome', async () => {
    let answer: (report: DeliveryReport) => void = () => undefined;
    const held = { deliver: () => new Promise<DeliveryReport>((resolve) => (answer = resolve)) };
    const losses: Record<string, number> = {};
    let delivered = 0;
    const q = new SpanQueue(held, {
      ...options(0),
      onDelivered: (count) => (delivered += count),
      onLoss: (reason, count) => (losses[reason] = (losses[reason] ?? 0) + count),
    });
    q.add({ id: 'a', create: '{}', update: '{}' });
    await nextTurn(); // handed over, not answered
    q.add({ id: 'b', create: '{}', update: '{}' });
    q.close();
    expect(losses).toEqual({ shutdown: 2 });
    answer({ delivered: 1, failures: [] });
    await nextTurn();
    expect([delivered, losses, q.size]).toEqual([0, { shutdown: 2 }, { spans: 0, bytes: 0 }]);
  });

  it('flush sends at once, without waiting out a coalescing delay already scheduled', async () => {
    const { sender, handed } = healthy();
    const q = new SpanQueue(sender, options(60_000));
    q.add({ id: 'a', create: '{}', update: '{}' });
    const flushed = q.flush(Date.now() + 10_000);
    await nextTurn();
    expect(handed).toEqual(['a']);
    await flushed;
    expect(q.size.spans).toBe(0);
    q.close();
  });
});
