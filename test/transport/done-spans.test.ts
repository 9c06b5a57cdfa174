// What the sender remembers per span (issue 22): a span sent again only costs what is missing, the
// memory stays within its bounds, and a request cut by a delivery's deadline is no sign of an outage.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { DoneSpans } from '../../src/transport/done-spans.js';
import { NetworkError } from '../../src/transport/http-client.js';
import { SpanSender, type RequestSender, type SpanSenderOptions } from '../../src/transport/span-sender.js';

afterEach(() => {
  jest.useRealTimers();
});

const ok = async () => ({ ok: true });

describe('DoneSpans', () => {
  it('remembers how far each span got, never moving back from ended', async () => {
    const done = new DoneSpans({ maxSpans: 10, maxBytes: 1 << 20, ttlMillis: 1000 });
    expect(await done.step('a', 'created', ok)).toEqual({ ok: true });
    expect(done.progress('a')).toBe('created');
    expect(await done.step('a', 'created', ok)).toBeUndefined();
    await done.step('a', 'ended', ok);
    done.record('a', 'created');
    expect(done.progress('a')).toBe('ended');
    expect(await done.step('a', 'created', ok)).toBeUndefined();
  });

  it('does not remember a step that failed', async () => {
    const done = new DoneSpans({ maxSpans: 10, maxBytes: 1 << 20, ttlMillis: 1000 });
    await done.step('a', 'created', async () => ({ ok: false }));
    expect(done.progress('a')).toBeUndefined();
  });

  it('joins a step still running for the same span instead of running it twice', async () => {
    const done = new DoneSpans({ maxSpans: 10, maxBytes: 1 << 20, ttlMillis: 1000 });
    let runs = 0;
    let finish!: () => void;
    const slow = () => {
      runs++;
      return new Promise<{ ok: boolean }>((resolve) => (finish = () => resolve({ ok: true })));
    };
    const first = done.step('a', 'created', slow);
    const second = done.step('a', 'created', slow);
    finish();
    expect(await first).toEqual({ ok: true });
    expect(await second).toBeUndefined();
    expect(runs).toBe(1);
  });

  it('forgets the oldest past its count and byte bounds, and any span past its time', () => {
    let now = 0;
    const byCount = new DoneSpans({ maxSpans: 3, maxBytes: 1 << 20, ttlMillis: 1000 }, () => now);
    for (const id of ['a', 'b', 'c', 'd']) byCount.record(id, 'created');
    expect([byCount.size, byCount.progress('a'), byCount.progress('d')]).toEqual([3, undefined, 'created']);
    const byBytes = new DoneSpans({ maxSpans: 1000, maxBytes: 400, ttlMillis: 1000 }, () => now);
    for (let i = 0; i < 100; i++) byBytes.record(`span-${i}`, 'ended');
    expect(byBytes.size).toBeLessThan(5);
    expect(byBytes.progress('span-99')).toBe('ended');
    now = 1001;
    expect(byBytes.progress('span-99')).toBeUndefined();
    byCount.record('e', 'created');
    expect(byCount.size).toBe(1);
  });
});

/** A client that counts requests and answers each after `delayMs`, or never (ending with its timeout) while `hang` is set. */
function opper(delayMs: number) {
  const state = { hang: false, inFlight: 0, maxInFlight: 0, requests: [] as string[] };
  const client: RequestSender = {
    request: (method, path, body, timeoutMs) =>
      new Promise((resolve, reject) => {
        state.requests.push(`${method} ${path}`);
        if (state.hang) return void setTimeout(() => reject(new NetworkError('ETIMEDOUT', 'timed out')), timeoutMs);
        state.inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        setTimeout(() => {
          state.inFlight--;
          resolve({ status: method === 'POST' ? 201 : 200, body: method === 'POST' ? body : '{}', contentType: 'application/json' });
        }, delayMs);
      }),
  };
  return { client, state };
}
const job = (id: string) => ({ id, create: JSON.stringify({ id }), update: '{}' });
const options = (extra: Partial<SpanSenderOptions> = {}): SpanSenderOptions => ({
  concurrency: { initial: 4, min: 4, max: 4 },
  timeoutMillis: 400,
  maxPendingSpans: 100,
  shrink: (body) => body,
  baseUrl: 'http://opper.invalid/v2',
  door: 'test',
  onProblem() {},
  redact: (text) => text,
  ...extra,
});

describe('SpanSender with a memory of spans', () => {
  it('sends a re-delivered batch only what is missing, and joins what is still in flight', async () => {
    jest.useFakeTimers({ now: 0 });
    const { client, state } = opper(100);
    const sender = new SpanSender(client, options({ remember: { maxSpans: 100, maxBytes: 1 << 20, ttlMillis: 60_000 } }));
    const jobs = ['a', 'b', 'c', 'd'].map(job);
    // The first delivery's deadline passes with its PATCHes in flight; the second starts meanwhile.
    const first = sender.deliver(jobs, 150);
    await jest.advanceTimersByTimeAsync(120);
    const second = sender.deliver(jobs, 10_000);
    await jest.advanceTimersByTimeAsync(10_000);
    expect((await second).delivered).toBe(4);
    await first;
    const third = await sender.deliver(jobs, Date.now() + 10_000);
    expect(third).toEqual({ delivered: 4, failures: [] });
    expect(state.requests.filter((request) => request.startsWith('POST'))).toHaveLength(4);
    expect(state.requests.filter((request) => request.startsWith('PATCH'))).toHaveLength(4);
  });

  it('keeps its full concurrency after requests were cut by deadlines: a slow Opper is not a down one', async () => {
    jest.useFakeTimers({ now: 0 });
    const { client, state } = opper(10);
    const sender = new SpanSender(client, options());
    const proved = sender.deliver([job('key')], 1000);
    await jest.advanceTimersByTimeAsync(100);
    expect((await proved).delivered).toBe(1);
    state.hang = true;
    for (let round = 0; round < 4; round++) {
      const cut = sender.deliver(
        ['a', 'b', 'c', 'd'].map((id) => job(`${id}${round}`)),
        Date.now() + 100,
      );
      await jest.advanceTimersByTimeAsync(300);
      expect((await cut).failures.map((failure) => failure.reason)).toEqual(['deadline', 'deadline', 'deadline', 'deadline']);
    }
    state.hang = false;
    state.maxInFlight = 0;
    const started = Date.now();
    let endedAfter = Infinity;
    const after = sender.deliver(['e', 'f', 'g', 'h'].map(job), started + 5000).then((report) => {
      endedAfter = Date.now() - started;
      return report;
    });
    // Nothing is refused for an outage, and nothing waits out an outage's backoff.
    expect(sender.refusal(4)).toBeUndefined();
    await jest.advanceTimersByTimeAsync(5000);
    expect((await after).delivered).toBe(4);
    expect([state.maxInFlight, endedAfter]).toEqual([4, 20]);
  });
});
