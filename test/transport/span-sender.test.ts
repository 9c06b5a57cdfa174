// The sender's timing guarantees, on Jest's fake clock: deterministic, and no wall-clock figures.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { NetworkError } from '../../src/transport/http-client.js';
import { SpanSender, type RequestSender } from '../../src/transport/span-sender.js';

/** A server that never answers: each request ends with its own timeout. */
const hung: RequestSender = {
  request: (_method, _path, _body, timeoutMs) =>
    new Promise((_, reject) => setTimeout(() => reject(new NetworkError('ETIMEDOUT', 'timed out')), timeoutMs)),
};
const job = (id: string) => ({ id, create: '{}', update: '{}' });
const sender = (client: RequestSender) =>
  new SpanSender(client, { concurrency: 4, timeoutMillis: 400, maxPendingSpans: 100, shrink: (body) => body, onAuthFailure() {}, redact: (text) => text });

afterEach(() => {
  jest.useRealTimers();
});

describe('SpanSender deadlines', () => {
  it('ends a delivery by its own deadline even when later deliveries hold the connection slot', async () => {
    jest.useFakeTimers({ now: 0 });
    const spans = sender(hung); // no request has proven the key: one in flight at a time
    let firstEndedAt = Number.NaN;
    const first = spans.deliver([job('a'), job('b')], 1000).then((report) => {
      firstEndedAt = Date.now();
      return report;
    });
    // Later deliveries queue requests ahead of the first one's retries.
    for (let i = 0; i < 6; i++) {
      await jest.advanceTimersByTimeAsync(100);
      void spans.deliver([job(`later ${i}`)], Date.now() + 1000);
    }
    await jest.advanceTimersByTimeAsync(10_000);
    expect((await first).failures.map((f) => f.reason)).toEqual(['deadline', 'deadline']);
    expect(firstEndedAt).toBeLessThanOrEqual(1000 + 100); // the deadline, plus the timer margin
  });
});
