// Issue 10 item 11: a huge span costs about one body's worth of work. No timing here: the tests
// count what the translation reads (proxies) and check what it writes.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { META_OPPER_TRUNCATED, translateSpan } from '../../src/translate/index.js';
import { boundSpan } from '../../src/translate/bound.js';
import { cutString } from '../../src/translate/cap.js';
import { bytes, makeSpan, parse, type SpanFields } from './helpers.js';

const LIMIT = 512 * 1024;
const MARKER = /…\[truncated (\d+) bytes\]$/;
const ITEMS = /^…\[truncated (\d+) items\]$/;

/** An array whose element reads are counted, by index. */
function counted<T>(items: T[]): { array: T[]; reads: Map<number, number> } {
  const reads = new Map<number, number>();
  const array = new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.set(Number(key), (reads.get(Number(key)) ?? 0) + 1);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { array, reads };
}

function translateChecked(fields: SpanFields) {
  const translated = translateSpan(makeSpan(fields), { maxBodyBytes: LIMIT });
  expect(bytes(translated.create)).toBeLessThanOrEqual(LIMIT);
  expect(bytes(translated.update)).toBeLessThanOrEqual(LIMIT);
  return parse(translated);
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('a huge span is cut while it is walked', () => {
  it('reads only the first items of a 1,000,000-number array, which ends with a marker counting the rest', () => {
    const { array, reads } = counted(Array.from({ length: 1_000_000 }, (_, i) => i / 7));
    const { create } = translateChecked({ attributes: { 'embedding.vector': array, other: 'kept' } });
    expect(reads.size).toBeLessThan(LIMIT / 4); // a number takes at least 4 bytes with its comma (0.5,)
    expect(reads.has(999_999)).toBe(false);
    const list = create.meta['embedding.vector'] as unknown[];
    expect(list.slice(0, 2)).toEqual([0, 1 / 7]);
    const marker = ITEMS.exec(list.at(-1) as string);
    expect(Number(marker![1]) + list.length - 1).toBe(1_000_000);
    expect(create.meta).toMatchObject({ other: 'kept', [META_OPPER_TRUNCATED]: true });
  });

  it('reads only the first of 10,000 events; otel.events ends with a marker counting the rest', () => {
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      name: `event ${i}`,
      time: [1710928800, i] as [number, number],
      attributes: { i, text: 'x'.repeat(40) },
    }));
    const { array, reads } = counted(events);
    const { create } = translateChecked({ events: array });
    expect(reads.has(9_999)).toBe(false);
    const list = create.meta['otel.events'] as unknown[];
    expect(list[0]).toEqual({ name: 'event 0', time: '2024-03-20T10:00:00.000000Z', attributes: { i: 0, text: 'x'.repeat(40) } });
    const marker = ITEMS.exec(list.at(-1) as string);
    expect(Number(marker![1]) + list.length - 1).toBe(10_000);
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
  });

  it('cuts 100 attributes of 100 KB evenly, each with a marker counting from its original size', () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 100; i++) attributes[`attribute.${i}`] = `${i}:`.padEnd(100 * 1024, 'v');
    const { create } = translateChecked({ attributes });
    for (let i = 0; i < 100; i++) {
      const value = create.meta[`attribute.${i}`] as string;
      expect(value.startsWith(`${i}:vvvv`)).toBe(true);
      const match = MARKER.exec(value)!;
      expect(Number(match[1])).toBe(100 * 1024 - bytes(value.slice(0, -match[0].length)));
    }
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
  });

  it('never hands a JSON parser more than a body of text, however long a message attribute is', () => {
    const content = 'word '.repeat(600_000); // 3 MB: under the old 4 MB parse limit
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content }] }]);
    const parse = jest.spyOn(JSON, 'parse');
    const { create } = translateChecked({
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system_instructions': 'be brief', 'gen_ai.input.messages': messages },
    });
    expect(parse.mock.calls.length).toBeGreaterThan(0);
    const longest = Math.max(0, ...parse.mock.calls.map(([text]) => String(text).length));
    expect(longest).toBeLessThanOrEqual(LIMIT);
    expect(create.input).toMatch(MARKER);
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
  });

  it('bounds the attributes of events and links, and a huge key, too', () => {
    const huge = 'h'.repeat(3 * 1024 * 1024);
    const { create } = translateChecked({
      events: [{ name: 'e', time: [1710928800, 0], attributes: { huge } }],
      links: [
        { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }, attributes: { huge } },
      ],
      attributes: { [huge]: 1 },
    });
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
    expect(JSON.stringify(create)).toMatch(/…\[truncated \d+ bytes\]/);
  });
});

describe('small spans are not touched', () => {
  it('the walk hands back the span itself, so its bodies are those of before', () => {
    const span = makeSpan({
      attributes: { a: 'x'.repeat(100_000), list: Array.from({ length: 1000 }, (_, i) => i) },
      events: [{ name: 'e', time: [1, 0] }],
    });
    const bounded = boundSpan(span, LIMIT);
    expect(bounded).toEqual({ span, cut: false, eventsCut: 0, linksCut: 0, width: expect.any(Number) });
    expect(bounded.span).toBe(span);
  });
});

describe('cutString of a string cut before', () => {
  it('counts the bytes removed from the original', () => {
    const once = cutString('a'.repeat(1000), 100);
    expect(once).toBe(`${'a'.repeat(100)}…[truncated 900 bytes]`);
    expect(cutString(once, 10)).toBe(`${'a'.repeat(10)}…[truncated 990 bytes]`);
  });
});

describe('what one part of a span takes leaves room for the rest', () => {
  it('a resource larger than a body does not cut the span attributes keys', () => {
    const long = `app.${'k'.repeat(200)}`;
    const { create } = translateChecked({
      resource: { 'service.name': 'svc', blob: 'r'.repeat(2 * 1024 * 1024) },
      attributes: { [long]: 'u1', 'app.step': 'two' },
    });
    expect(create.meta).toMatchObject({ [long]: 'u1', 'app.step': 'two', [META_OPPER_TRUNCATED]: true });
    expect((create.meta.resource as Record<string, unknown>)['service.name']).toBe('svc');
  });
});
