import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startLocalOpper, type Fault, type LocalOpper } from '../../src/testing/index.js';
import { call, until } from './helpers.js';

let server: LocalOpper;

beforeAll(async () => {
  server = await startLocalOpper({ seed: 1 });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

const create = (target: LocalOpper = server, id = randomUUID()) => call(target, 'POST', '/spans', { id, name: 'n' });

/** Resolves to the error a request failed with (fetch's 'fetch failed'), or fails the test if it got an answer. */
async function socketError(request: Promise<unknown>): Promise<Error> {
  try {
    await request;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail at the socket, but it was answered');
}

describe('status faults', () => {
  it('answer the status with Retry-After and a JSON error body, store nothing, and count no violation', async () => {
    server.inject({ status: 503, retryAfter: 2, times: 1 });
    const id = randomUUID();
    const reply = await create(server, id);
    expect(reply.status).toBe(503);
    expect(reply.headers.get('retry-after')).toBe('2');
    expect(reply.body).toMatchObject({ type: 'ServiceUnavailableError', detail: null });
    expect(server.spans.has(id)).toBe(false);
    expect(server.requests[0]).toMatchObject({ status: 503, fault: 'status:503' });

    expect((await create(server, id)).status).toBe(200);
    expect(server.requests[1]!.fault).toBeUndefined();
    expect(server.creates(id)).toBe(1);
  });

  it('send a custom body and HTTP-date Retry-After', async () => {
    server.inject({
      status: 429,
      retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT',
      body: { type: 'RateLimit', message: 'slow down', detail: null },
    });
    const reply = await create();
    expect(reply).toMatchObject({ status: 429, body: { type: 'RateLimit', message: 'slow down' } });
    expect(reply.headers.get('retry-after')).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
  });

  it('send a text body as is, with the headers given (an HTML page, a redirect)', async () => {
    server.inject({ status: 200, body: '<html>Sign in</html>', headers: { 'content-type': 'text/html' }, times: 1 });
    const page = await create();
    expect(page).toMatchObject({ status: 200, body: '<html>Sign in</html>' });
    expect(page.headers.get('content-type')).toBe('text/html');
    server.inject({ status: 308, body: '', headers: { location: 'https://example.invalid/v2/spans' }, times: 1 });
    const res = await fetch(`${server.url}/spans`, { method: 'POST', redirect: 'manual', body: '{}' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('https://example.invalid/v2/spans');
    expect(server.spans.size).toBe(0);
  });

  it('never count as violations, even 4xx ones', async () => {
    server.inject({ status: 422 });
    expect((await create()).status).toBe(422);
    expect(server.violations).toEqual([]);
  });

  it('apply only to matching method and path, first matching rule wins', async () => {
    server.inject({ match: { method: 'patch' }, status: 500 });
    server.inject({ match: { path: /\/spans$/g }, status: 502, times: 2 });
    server.inject({ status: 504 });
    const id = randomUUID();
    expect((await create(server, id)).status).toBe(502);
    expect((await create(server, id)).status).toBe(502);
    expect((await create(server, id)).status).toBe(504);
    expect((await call(server, 'PATCH', `/spans/${id}`, { output: 'x' })).status).toBe(500);
    server.clearFaults();
    expect((await create(server, id)).status).toBe(200);
  });

  it('apply by default only under /v2', async () => {
    server.inject({ status: 503 });
    const res = await fetch(server.url.replace(/\/v2$/, '/health'));
    expect(res.status).toBe(404);
    expect(server.requests[0]!.fault).toBeUndefined();
  });
});

describe('drop faults', () => {
  it("'before' destroys the socket and stores nothing", async () => {
    server.inject({ drop: 'before', times: 1 });
    const id = randomUUID();
    expect((await socketError(create(server, id))).message).toBe('fetch failed');
    expect(server.spans.has(id)).toBe(false);
    expect(server.requests[0]).toMatchObject({ status: 0, fault: 'drop:before' });
    expect((await create(server, id)).status).toBe(200);
  });

  it("'after' stores the span but the client sees a socket error; a retry gets 409", async () => {
    server.inject({ drop: 'after', times: 1 });
    const id = randomUUID();
    await socketError(create(server, id));
    expect(server.spans.has(id)).toBe(true);
    expect(server.creates(id)).toBe(1);
    expect(server.requests[0]).toMatchObject({ status: 0, fault: 'drop:after' });
    expect((await create(server, id)).status).toBe(409);
    expect(server.creates(id)).toBe(1);
  });

  it("'after' still records the violations of the request it processed", async () => {
    server.inject({ drop: 'after', times: 1 });
    await socketError(call(server, 'PATCH', `/spans/${randomUUID()}`, { output: 'x' }));
    expect(server.violations).toEqual([expect.objectContaining({ rule: 'patch-unknown-span', status: 404 })]);
  });
});

describe('delay and hang', () => {
  it('delay processes the request normally after the delay', async () => {
    server.inject({ delayMs: 1000, times: 1 });
    const id = randomUUID();
    const started = Date.now();
    const pending = create(server, id);
    await until(() => server.requests.length === 1 && server.requests[0]!.bodyBytes > 0, 'the delayed request to arrive');
    expect(server.spans.has(id)).toBe(false);
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(server.spans.has(id)).toBe(true);
    expect(server.requests[0]).toMatchObject({ status: 200, fault: 'delay:1000ms' });
  });

  it('hang never answers, and close() still resolves promptly and fails the request', async () => {
    const hung = await startLocalOpper();
    hung.inject({ hang: true });
    const id = randomUUID();
    const pending = socketError(create(hung, id));
    await until(() => hung.requests.length === 1 && hung.requests[0]!.bodyBytes > 0, 'the hung request to arrive');
    const delayed = randomUUID();
    hung.clearFaults();
    hung.inject({ delayMs: 60_000 });
    const pendingDelay = socketError(create(hung, delayed));
    await until(() => hung.requests.length === 2, 'the delayed request to arrive');

    const closed = hung.close().then(() => 'closed');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, 5000, 'still open after 5 s')));
    expect(await Promise.race([closed, timeout])).toBe('closed');
    clearTimeout(timer);
    expect((await pending).message).toBe('fetch failed');
    expect((await pendingDelay).message).toBe('fetch failed');
    expect(hung.requests.map((r) => [r.status, r.fault])).toEqual([
      [0, 'hang'],
      [0, 'delay:60000ms'],
    ]);
    expect(hung.spans.size).toBe(0);
  });

  it('close() rejects pending waiters instead of leaving them to time out', async () => {
    const other = await startLocalOpper();
    const waiting = other.waitForSpans(() => false, 60_000);
    await other.close();
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(other.close()).resolves.toBeUndefined();
  });
});

describe('outage', () => {
  it('answers every request with the status until cleared, ahead of other rules', async () => {
    server.inject({ status: 500 });
    server.outage(60_000, { retryAfter: 1 });
    const id = randomUUID();
    const post = await create(server, id);
    expect(post.status).toBe(503);
    expect(post.headers.get('retry-after')).toBe('1');
    expect((await call(server, 'GET', `/spans/${id}`)).status).toBe(503);
    expect(server.requests.map((r) => r.fault)).toEqual(['outage:503', 'outage:503']);
    server.clearFaults();
    expect((await create(server, id)).status).toBe(200);
    expect(server.violations).toEqual([]);
  });

  it('ends by itself after the window', async () => {
    server.outage(100, { status: 429 });
    expect((await create()).status).toBe(429);
    let last = 0;
    for (let i = 0; i < 200 && last !== 200; i++) {
      last = (await create()).status;
      if (last !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(last).toBe(200);
    expect(server.requests.at(-1)!.fault).toBeUndefined();
  });
});

describe('times and probability', () => {
  async function pattern(seed: number, count: number): Promise<number[]> {
    const seeded = await startLocalOpper({ seed });
    try {
      seeded.inject({ status: 503, probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) statuses.push((await create(seeded)).status);
      return statuses;
    } finally {
      await seeded.close();
    }
  }

  it('the same seed gives the same faults, another seed different ones', async () => {
    const a = await pattern(42, 40);
    const b = await pattern(42, 40);
    const c = await pattern(7, 40);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const faulted = a.filter((s) => s === 503).length;
    expect(faulted).toBeGreaterThan(5);
    expect(faulted).toBeLessThan(35);
    expect(new Set(a)).toEqual(new Set([200, 503]));
  });

  it('probability 0 never applies and lets later rules match; times counts applications', async () => {
    server.inject({ status: 500, probability: 0 });
    server.inject({ status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await create()).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('refuses malformed faults', () => {
    const bad: unknown[] = [
      {},
      { status: 503, drop: 'before' },
      { status: 99 },
      { status: 503, probability: 2 },
      { status: 503, times: 0 },
      { drop: 'sometimes' },
      { delayMs: -1 },
      { hang: false },
      { status: 200, headers: { location: 3 } },
    ];
    for (const fault of bad) expect(() => server.inject(fault as Fault)).toThrow();
    expect(() => server.outage(-5)).toThrow(RangeError);
  });
});

describe('streamed bodies', () => {
  it('answers 413 to a chunked body past the limit after draining it', async () => {
    const small = await startLocalOpper({ maxBodyBytes: 1000 });
    try {
      const chunk = new TextEncoder().encode('x'.repeat(500));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 20) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const init = {
        method: 'POST',
        headers: { authorization: `Bearer ${small.apiKey}`, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      };
      const res = await fetch(`${small.url}/spans`, init as RequestInit);
      expect(res.status).toBe(413);
      expect(small.requests[0]).toMatchObject({ status: 413, bodyBytes: 10_000 });
      expect(small.violations.map((v) => v.rule)).toEqual(['body-too-large']);
    } finally {
      await small.close();
    }
  });
});
