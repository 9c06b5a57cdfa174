import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { call } from './helpers.js';

const T0 = '2025-03-01T10:00:00.123456Z';
const T1 = '2025-03-01T10:00:01.500000Z';

let server: LocalOpper;

beforeAll(async () => {
  server = await startLocalOpper();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

const rules = (): string[] => server.violations.map((v) => v.rule);

describe('startLocalOpper', () => {
  it('listens on loopback under /v2 with a random key', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(server.apiKey).toMatch(/^local-opper-[0-9a-f]{32}$/);
    const other = await startLocalOpper({ apiKey: 'k' });
    try {
      expect(other.apiKey).toBe('k');
      expect(other.url).not.toBe(server.url);
    } finally {
      await other.close();
    }
  });

  it('refuses invalid options', async () => {
    await expect(startLocalOpper({ maxBodyBytes: 0 })).rejects.toThrow(/maxBodyBytes/);
    await expect(startLocalOpper({ port: 70000 })).rejects.toThrow(/port/);
    await expect(startLocalOpper({ apiKey: '' })).rejects.toThrow(/apiKey/);
  });
});

describe('POST /spans', () => {
  it('stores a valid span and answers with it', async () => {
    const id = randomUUID();
    const traceId = randomUUID();
    const reply = await call(server, 'POST', '/spans', {
      id,
      trace_id: traceId,
      name: 'root',
      type: 'llm',
      start_time: T0,
      input: { q: 1 },
      meta: { a: 'b' },
      score: 7,
    });
    expect(reply.status).toBe(200);
    const expected = {
      id,
      trace_id: traceId,
      parent_id: null,
      name: 'root',
      type: 'llm',
      start_time: T0,
      end_time: null,
      input: { q: 1 },
      output: null,
      error: null,
      meta: { a: 'b' },
      score: 7,
    };
    expect(reply.body).toEqual(expected);
    expect(server.spans.get(id)).toEqual(expected);
    expect(server.creates(id)).toBe(1);
    expect(server.violations).toEqual([]);
    const record = server.requests.at(-1)!;
    expect(record).toMatchObject({ method: 'POST', path: '/v2/spans', status: 200 });
    expect(record.bodyBytes).toBeGreaterThan(50);
    expect(record.headers.authorization).toBe(`Bearer ${server.apiKey}`);
    expect(record.fault).toBeUndefined();
  });

  it('generates an id when none is sent and lower-cases client ids', async () => {
    const generated = await call(server, 'POST', '/spans', { name: 'n' });
    expect(generated.status).toBe(200);
    expect(generated.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(server.spans.has(generated.body.id)).toBe(true);

    const upper = randomUUID().toUpperCase();
    const reply = await call(server, 'POST', '/spans', { id: upper, name: 'n' });
    expect(reply.body.id).toBe(upper.toLowerCase());
    expect(server.creates(upper)).toBe(1);
  });

  it('answers 409 to a duplicate id without storing it again or counting a violation', async () => {
    const id = randomUUID();
    expect((await call(server, 'POST', '/spans', { id, name: 'first' })).status).toBe(200);
    const second = await call(server, 'POST', '/spans', { id, name: 'second' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ type: 'ConflictError', message: 'span already exists' });
    expect(server.spans.get(id)?.name).toBe('first');
    expect(server.creates(id)).toBe(1);
    expect(server.violations).toEqual([]);
  });

  it('takes 6 fractional digits and offsets, refuses 9 digits and missing offsets', async () => {
    for (const time of ['2025-03-01T10:00:00.123456Z', '2025-03-01T10:00:00+02:00', '2025-03-01T10:00:00.5-05:30']) {
      expect((await call(server, 'POST', '/spans', { name: 'ok', start_time: time })).status).toBe(200);
    }
    const nine = await call(server, 'POST', '/spans', { name: 'ns', start_time: '2025-03-01T10:00:00.123456789Z' });
    expect(nine.status).toBe(422);
    expect(nine.body.message).toContain('second fraction value is more than 6 digits long');
    const naive = await call(server, 'POST', '/spans', { name: 'naive', end_time: '2025-03-01T10:00:00' });
    expect(naive.status).toBe(422);
    const impossible = await call(server, 'POST', '/spans', { name: 'feb30', end_time: '2025-02-30T10:00:00Z' });
    expect(impossible.status).toBe(422);
    expect(rules()).toEqual(['datetime-precision', 'datetime', 'datetime']);
    expect(server.spans.size).toBe(3);
  });

  it('refuses a non-integer score', async () => {
    expect((await call(server, 'POST', '/spans', { name: 's', score: 7.5 })).status).toBe(422);
    expect((await call(server, 'POST', '/spans', { name: 's', score: '7' })).status).toBe(422);
    expect(rules()).toEqual(['score-not-integer', 'schema']);
    expect(server.spans.size).toBe(0);
  });

  it('refuses a lone surrogate in a meta key and a NUL in a nested value', async () => {
    const surrogate = await call(server, 'POST', '/spans', { name: 'k', meta: { 'bad\ud800key': 1 } });
    expect(surrogate.status).toBe(422);
    const nul = await call(server, 'POST', '/spans', { name: 'v', input: { deep: ['ok', 'nul\u0000here'] } });
    expect(nul.status).toBe(422);
    const lowSurrogate = await call(server, 'POST', '/spans', { name: 'x\udc00' });
    expect(lowSurrogate.status).toBe(422);
    expect(rules()).toEqual(['surrogate-or-nul', 'surrogate-or-nul', 'surrogate-or-nul']);
    const pair = await call(server, 'POST', '/spans', { name: 'emoji 😀', meta: { '😀': '𝄞' } });
    expect(pair.status).toBe(200);
    expect(server.spans.size).toBe(1);
  });

  it('checks ids, name and meta types', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'n', trace_id: 'not-a-uuid' }, 'uuid'],
      [{ name: 'n', parent_id: '0af7651916cd43dd8448eb211c80319c' }, 'uuid'],
      [{ name: 'n', id: 42 }, 'schema'],
      [{ id: randomUUID() }, 'schema'],
      [{ name: null }, 'schema'],
      [{ name: 'n', meta: [1, 2] }, 'schema'],
      [{ name: 'n', error: { message: 'x' } }, 'schema'],
    ];
    for (const [body, rule] of cases) {
      server.reset();
      const reply = await call(server, 'POST', '/spans', body);
      expect({ body, status: reply.status, rules: rules() }).toEqual({ body, status: 422, rules: [rule] });
      expect(reply.body.type).toBe('RequestValidationError');
      expect(reply.body.detail[0]).toMatchObject({ rule });
    }
    expect(server.spans.size).toBe(0);
  });

  it('accepts an unknown field but records it as a violation', async () => {
    const reply = await call(server, 'POST', '/spans', { name: 'n', attributes: { a: 1 } });
    expect(reply.status).toBe(200);
    expect(reply.body).not.toHaveProperty('attributes');
    expect(server.violations).toEqual([expect.objectContaining({ method: 'POST', path: '/v2/spans', status: 200, rule: 'unknown-field' })]);
    expect(server.violations[0]!.message).toContain('attributes');
  });

  it('refuses bodies that are not JSON objects in UTF-8 with application/json', async () => {
    const auth = { authorization: `Bearer ${server.apiKey}` };
    const json = { ...auth, 'content-type': 'application/json; charset=utf-8' };
    expect(
      (await call(server, 'POST', '/spans', undefined, { headers: { ...auth, 'content-type': 'text/plain' }, raw: '{"name":"n"}' })).status,
    ).toBe(422);
    expect((await call(server, 'POST', '/spans', undefined, { headers: json, raw: '{"name":' })).status).toBe(422);
    expect(
      (
        await call(server, 'POST', '/spans', undefined, {
          headers: json,
          raw: Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
        })
      ).status,
    ).toBe(422);
    expect((await call(server, 'POST', '/spans', undefined, { headers: json, raw: '[{"name":"n"}]' })).status).toBe(422);
    expect(rules()).toEqual(['content-type', 'invalid-json', 'invalid-utf8', 'schema']);
    expect((await call(server, 'POST', '/spans', undefined, { headers: json, raw: '{"name":"n"}' })).status).toBe(200);
  });
});

describe('body size limit', () => {
  const bodyOfSize = (size: number): string => {
    const shell = JSON.stringify({ name: 'big', input: '' });
    return JSON.stringify({ name: 'big', input: 'x'.repeat(size - shell.length) });
  };

  it('accepts a body of exactly 1 MiB and answers 413 past it', async () => {
    expect(bodyOfSize(1048576).length).toBe(1048576);
    expect(
      (
        await call(server, 'POST', '/spans', undefined, {
          headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
          raw: bodyOfSize(1048576),
        })
      ).status,
    ).toBe(200);
    const big = bodyOfSize(1048577 + 500_000);
    const reply = await call(server, 'POST', '/spans', undefined, {
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      raw: big,
    });
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ type: 'PayloadTooLargeError' });
    expect(server.requests.at(-1)).toMatchObject({ status: 413, bodyBytes: big.length });
    expect(server.spans.size).toBe(1);
    expect(server.violations).toEqual([expect.objectContaining({ status: 413, rule: 'body-too-large' })]);
  });

  it('honours maxBodyBytes', async () => {
    const small = await startLocalOpper({ maxBodyBytes: 100 });
    try {
      expect((await call(small, 'POST', '/spans', { name: 'x'.repeat(200) })).status).toBe(413);
      expect((await call(small, 'POST', '/spans', { name: 'fits' })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('auth', () => {
  it('answers 401 unless Authorization is exactly Bearer <key>, without a violation', async () => {
    const variants: Array<Record<string, string>> = [
      { 'content-type': 'application/json' },
      { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      { authorization: `bearer ${server.apiKey}`, 'content-type': 'application/json' },
      { authorization: server.apiKey, 'content-type': 'application/json' },
    ];
    for (const headers of variants) {
      const reply = await call(server, 'POST', '/spans', { name: 'n' }, { headers });
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ type: 'UnauthorizedError' });
    }
    expect(server.requests.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(server.violations).toEqual([]);
    expect(server.spans.size).toBe(0);
  });
});

describe('PATCH /spans/{span_id}', () => {
  it('replaces each field sent and answers with the updated span', async () => {
    const id = randomUUID();
    await call(server, 'POST', '/spans', { id, name: 'n', start_time: T0, meta: { a: 1, b: 2 } });
    const reply = await call(server, 'PATCH', `/spans/${id}`, { end_time: T1, output: 'done', meta: { c: 3 }, score: 1, error: null });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      id,
      name: 'n',
      start_time: T0,
      end_time: T1,
      output: 'done',
      meta: { c: 3 },
      score: 1,
      error: null,
    });
    expect(server.spans.get(id)).toEqual(reply.body);
    expect(server.patches(id)).toBe(1);
    expect(server.creates(id)).toBe(1);
    expect(server.violations).toEqual([]);
  });

  it('refuses non-string input/output and other bad fields with 422', async () => {
    const id = randomUUID();
    await call(server, 'POST', '/spans', { id, name: 'n', input: { any: 'json' } });
    expect((await call(server, 'PATCH', `/spans/${id}`, { output: { text: 'x' } })).status).toBe(422);
    expect((await call(server, 'PATCH', `/spans/${id}`, { input: 42 })).status).toBe(422);
    expect((await call(server, 'PATCH', `/spans/${id}`, { end_time: '2025-03-01T10:00:00.000000001Z' })).status).toBe(422);
    expect((await call(server, 'PATCH', `/spans/${id}`, { score: 0.5 })).status).toBe(422);
    expect(rules()).toEqual(['schema', 'schema', 'datetime-precision', 'score-not-integer']);
    expect(server.spans.get(id)?.input).toEqual({ any: 'json' });
    expect(server.patches(id)).toBe(0);
  });

  it('answers 404 for an unknown span and records patch-unknown-span', async () => {
    const id = randomUUID();
    const reply = await call(server, 'PATCH', `/spans/${id}`, { output: 'x' });
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ type: 'NotFoundError' });
    expect(server.violations).toEqual([
      expect.objectContaining({ method: 'PATCH', path: `/v2/spans/${id}`, status: 404, rule: 'patch-unknown-span' }),
    ]);
  });

  it('answers 422 for a span_id that is not a UUID', async () => {
    expect((await call(server, 'PATCH', '/spans/1234', { output: 'x' })).status).toBe(422);
    expect(rules()).toEqual(['uuid']);
  });

  it('treats ids in a PATCH body as unknown fields', async () => {
    const id = randomUUID();
    await call(server, 'POST', '/spans', { id, name: 'n' });
    expect((await call(server, 'PATCH', `/spans/${id}`, { trace_id: randomUUID(), output: 'x' })).status).toBe(200);
    expect(server.spans.get(id)?.trace_id).toBeNull();
    expect(rules()).toEqual(['unknown-field']);
  });
});

describe('read side', () => {
  it('GET /spans/{id} returns the span plus feedback: null', async () => {
    const id = randomUUID();
    await call(server, 'POST', '/spans', { id, name: 'n', input: 'in' });
    const reply = await call(server, 'GET', `/spans/${id}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ...server.spans.get(id), feedback: null });
  });

  it('GET /traces/{id} derives the trace from its root and children', async () => {
    const traceId = randomUUID();
    const root = randomUUID();
    const child = randomUUID();
    const usage = { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 };
    // The child arrives first, as a batch processor would send it.
    await call(server, 'POST', '/spans', {
      id: child,
      trace_id: traceId,
      parent_id: root,
      name: 'llm call',
      start_time: '2025-03-01T10:00:00.200Z',
      end_time: '2025-03-01T10:00:00.900Z',
      error: 'boom',
      meta: usage,
    });
    await call(server, 'POST', '/spans', {
      id: root,
      trace_id: traceId,
      name: 'request',
      start_time: '2025-03-01T10:00:00Z',
      end_time: '2025-03-01T10:00:00.750Z',
      input: 'question',
      output: 'answer',
    });
    const reply = await call(server, 'GET', `/traces/${traceId}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      id: traceId,
      name: 'request',
      start_time: '2025-03-01T10:00:00Z',
      end_time: '2025-03-01T10:00:00.900Z',
      duration_ms: 900,
      status: 'error',
      input: 'question',
      output: 'answer',
      total_tokens: 15,
      spans: [server.spans.get(root), server.spans.get(child)],
    });
    expect(server.trace(traceId)).toEqual(reply.body);
    expect(server.traceIds()).toEqual([traceId]);
  });

  it('reports success and null tokens when no span errs or reports usage', async () => {
    const traceId = randomUUID();
    await call(server, 'POST', '/spans', { trace_id: traceId, name: 'only' });
    expect(server.trace(traceId)).toMatchObject({ name: 'only', status: 'success', total_tokens: null, duration_ms: null });
    expect(server.trace(randomUUID())).toBeUndefined();
  });

  it('answers 404 JSON for unknown spans, traces and routes', async () => {
    expect((await call(server, 'GET', `/spans/${randomUUID()}`)).status).toBe(404);
    expect((await call(server, 'GET', `/traces/${randomUUID()}`)).status).toBe(404);
    const route = await call(server, 'DELETE', `/spans/${randomUUID()}`);
    expect(route.status).toBe(404);
    expect(route.body).toMatchObject({ type: 'NotFoundError' });
    const outside = await fetch(server.url.replace(/\/v2$/, '/v1/spans'), { method: 'POST' });
    expect(outside.status).toBe(404);
    expect(await outside.json()).toMatchObject({ type: 'NotFoundError' });
    // Reading an id that is not there breaks no rule (the bridge's /readyz probe does it).
    expect(rules()).toEqual(['unknown-route', 'unknown-route']);
  });
});

describe('waitForSpans and reset', () => {
  it('resolves once the predicate holds', async () => {
    const id = randomUUID();
    const waiting = server.waitForSpans((spans) => spans.get(id)?.output === 'done');
    await call(server, 'POST', '/spans', { id, name: 'n' });
    await call(server, 'PATCH', `/spans/${id}`, { output: 'done' });
    await expect(waiting).resolves.toBeUndefined();
  });

  it('rejects with a clear message on timeout', async () => {
    await call(server, 'POST', '/spans', { name: 'n', extra: 1 });
    await expect(server.waitForSpans((spans) => spans.size > 5, 50)).rejects.toThrow(
      /predicate still false after 50 ms; 1 span\(s\) stored, 1 request\(s\) seen, 1 violation\(s\); last violation: unknown-field/,
    );
  });

  it('forgets spans, requests, violations and faults', async () => {
    await call(server, 'POST', '/spans', { name: 'n', extra: 1 });
    server.inject({ status: 500 });
    server.reset();
    expect([server.spans.size, server.requests.length, server.violations.length, server.traceIds().length]).toEqual([0, 0, 0, 0]);
    expect((await call(server, 'POST', '/spans', { name: 'n' })).status).toBe(200);
  });
});
