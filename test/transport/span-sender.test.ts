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
  new SpanSender(client, {
    concurrency: { initial: 4, min: 4, max: 4 },
    timeoutMillis: 400,
    maxPendingSpans: 100,
    shrink: (body) => body,
    baseUrl: 'http://opper.invalid/v2',
    door: 'test',
    onProblem() {},
    redact: (text) => text,
  });

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

/** Answers every request at once, as Opper would, and records the order of creates. */
function recording() {
  const creates: string[] = [];
  const client: RequestSender = {
    async request(method, _path, body) {
      if (method === 'POST') creates.push((JSON.parse(body) as { id: string }).id);
      return { status: 200, body: method === 'POST' ? body : '{}' };
    },
  };
  return { client, creates };
}
const span = (id: string, parentId?: string) => ({ id, parentId, create: JSON.stringify({ id }), update: '{}' });

describe('SpanSender parent order', () => {
  it('delivers a chain 8,000 deep, children first in the batch, creating parents first', async () => {
    const { client, creates } = recording();
    const chain = Array.from({ length: 8000 }, (_, i) => span(`s${i}`, i === 0 ? undefined : `s${i - 1}`)).reverse();
    const report = await sender(client).deliver(chain, Date.now() + 60_000);
    expect(report.failures).toEqual([]);
    expect(report.delivered).toBe(8000);
    expect(creates.slice(0, 3)).toEqual(['s0', 's1', 's2']);
    expect(creates.at(-1)).toBe('s7999');
  });

  it('delivers self-parented spans and parent cycles in a large batch', async () => {
    const { client, creates } = recording();
    const jobs = [span('self', 'self'), span('a', 'b'), span('b', 'a'), ...Array.from({ length: 8000 }, (_, i) => span(`x${i}`, 'self'))];
    const report = await sender(client).deliver(jobs, Date.now() + 60_000);
    expect(report.failures).toEqual([]);
    expect(report.delivered).toBe(jobs.length);
    expect(creates[0]).toBe('self');
  });

  it("does not hold a child's create back until its parent's create is answered", async () => {
    const order: string[] = [];
    let release!: () => void;
    const parentAnswered = new Promise<void>((resolve) => (release = resolve));
    let childPatched!: () => void;
    const childDone = new Promise<void>((resolve) => (childPatched = resolve));
    const client: RequestSender = {
      async request(method, path, body) {
        const id = method === 'POST' ? (JSON.parse(body) as { id: string }).id : path;
        order.push(`${method} ${id}`);
        if (method === 'PATCH' && id === 'spans/child') childPatched();
        if (method === 'POST' && id === 'parent') await parentAnswered;
        return { status: 200, body: method === 'POST' ? body : '{}' };
      },
    };
    const spans = sender(client);
    await spans.deliver([span('warm')], Date.now() + 60_000); // proves the key: full concurrency
    const delivery = spans.deliver([span('child', 'parent'), span('parent')], Date.now() + 60_000);
    // Without the fix the child's requests wait for the parent's answer, which never comes.
    await Promise.race([childDone, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    expect(order.slice(2)).toEqual(['POST parent', 'POST child', 'PATCH spans/child']);
    release();
    expect((await delivery).failures).toEqual([]);
  });
});
