import { describe, expect, it } from '@jest/globals';
import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR_OPPER_INPUT, ATTR_OPPER_OUTPUT, META_OPPER_TRUNCATED, shrinkBody, translateSpan } from '../../src/translate/index.js';
import { cutString } from '../../src/translate/cap.js';
import { allStrings, bytes, hasBadChars, makeSpan, parse, type Bodies, type SpanFields } from './helpers.js';

const LIMIT = 512 * 1024;
const MB5 = 5 * 1024 * 1024;
const MARKER = /…\[truncated (\d+) bytes\]$/;

/** Translates and checks what must hold for every body: size, JSON, identity, timing. */
function translateCapped(fields: SpanFields, maxBodyBytes = LIMIT): Bodies {
  const translated = translateSpan(makeSpan(fields), { maxBodyBytes });
  expect(bytes(translated.create)).toBeLessThanOrEqual(maxBodyBytes);
  expect(bytes(translated.update)).toBeLessThanOrEqual(maxBodyBytes);
  const bodies = parse(translated);
  expect(bodies.create).toMatchObject({
    id: 'b7ad6b71-6920-3331-8448-eb211c80319c',
    trace_id: '0af76519-16cd-43dd-8448-eb211c80319c',
    start_time: '2024-03-20T10:00:00.123456Z',
  });
  expect(typeof bodies.create.name).toBe('string');
  expect(bodies.update.end_time).toBe('2024-03-20T10:00:01.000005Z');
  expect([...allStrings(bodies.create), ...allStrings(bodies.update)].filter(hasBadChars)).toEqual([]);
  return bodies;
}

function expectCut(value: unknown, prefix: string, originalBytes: number): void {
  expect(typeof value).toBe('string');
  const text = value as string;
  expect(text.startsWith(prefix)).toBe(true);
  const match = MARKER.exec(text);
  expect(match).not.toBeNull();
  const kept = text.slice(0, text.length - match![0].length);
  expect(Number(match![1])).toBe(originalBytes - bytes(kept));
}

describe('size caps: small spans are untouched', () => {
  it('does not mark or cut a span under the limit', () => {
    const { create } = translateCapped({ attributes: { a: 'x'.repeat(1000) } });
    expect(create.meta.a).toBe('x'.repeat(1000));
    expect(create.meta).not.toHaveProperty(META_OPPER_TRUNCATED);
  });
});

describe('size caps: hostile spans', () => {
  it('cuts a 5 MB attribute, keeping the others whole', () => {
    const { create } = translateCapped({ attributes: { huge: 'a'.repeat(MB5), small: 'keep me', n: 1 } });
    expectCut(create.meta.huge, 'a'.repeat(1000), MB5);
    expect((create.meta.huge as string).length).toBeGreaterThan(LIMIT * 0.9); // cut no more than needed
    expect(create.meta).toMatchObject({ small: 'keep me', n: 1, [META_OPPER_TRUNCATED]: true, 'otel.kind': 'internal' });
  });

  it('cuts a 5 MB opper.input', () => {
    const { create } = translateCapped({ attributes: { [ATTR_OPPER_INPUT]: 'i'.repeat(MB5) } });
    expectCut(create.input, 'iiii', MB5);
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
  });

  it('cuts a 5 MB opper.output and marks the create body, though only the update was cut', () => {
    const { create, update } = translateCapped({ attributes: { [ATTR_OPPER_OUTPUT]: 'o'.repeat(MB5) } });
    expectCut(update.output, 'oooo', MB5);
    expect(update).not.toHaveProperty('meta');
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
  });

  it('cuts a 5 MB error message', () => {
    const { update, create } = translateCapped({ status: { code: SpanStatusCode.ERROR, message: 'E'.repeat(MB5) } });
    expectCut(update.error, 'EEEE', MB5);
    expectCut(create.meta['otel.status_message'], 'EEEE', MB5);
  });

  it('cuts a 5 MB key', () => {
    const { create } = translateCapped({ attributes: { ['k'.repeat(MB5)]: 'value', other: 'x' } });
    const key = Object.keys(create.meta).find((k) => k.startsWith('kkkk'))!;
    expectCut(key, 'kkkk', MB5);
    expect(create.meta[key]).toBe('value');
    expect(create.meta.other).toBe('x');
  });

  it('cuts a 5 MB span name, which stays present', () => {
    const { create } = translateCapped({ name: 'n'.repeat(MB5) });
    expectCut(create.name, 'nnnn', MB5);
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
  });

  it('cuts 1000 attributes of 1 KiB evenly, keeping every key', () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) attributes[`attr.${i}`] = `${i}:`.padEnd(1024, 'v');
    const { create } = translateCapped({ attributes }, 256 * 1024);
    for (let i = 0; i < 1000; i++) expectCut(create.meta[`attr.${i}`], `${i}:vv`, 1024);
  });

  it('shortens a 200k-element number array, which stays an array', () => {
    const numbers = Array.from({ length: 200_000 }, (_, i) => i * 1.5);
    const { create } = translateCapped({ attributes: { numbers, other: 'kept' } });
    const list = create.meta.numbers as unknown[];
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBeGreaterThan(1000);
    expect(list.slice(0, 3)).toEqual([0, 1.5, 3]);
    expect(list.at(-1)).toMatch(/^…\[truncated \d+ items\]$/);
    expect(create.meta.other).toBe('kept');
    expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
    expect(numbers).toHaveLength(200_000); // the span's own array is untouched
  });

  it('shortens a huge event list, keeping the first events', () => {
    const events = Array.from({ length: 50_000 }, (_, i) => ({
      name: `event ${i}`,
      time: [1710928800, i] as [number, number],
      attributes: { i },
    }));
    const { create } = translateCapped({ events });
    const list = create.meta['otel.events'] as unknown[];
    expect(list[0]).toEqual({ name: 'event 0', time: '2024-03-20T10:00:00.000000Z', attributes: { i: 0 } });
    expect(list.at(-1)).toMatch(/^…\[truncated \d+ items\]$/);
  });

  it('reduces meta to its essentials, then refills it in order, when there are too many small entries', () => {
    const attributes: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) attributes[`a${i}`] = i;
    const { create } = translateCapped({ attributes, parentSpanId: '00f067aa0ba902b7' }, 64 * 1024);
    expect(create.meta).toMatchObject({
      [META_OPPER_TRUNCATED]: true,
      'otel.kind': 'internal',
      'otel.trace_id': '0af7651916cd43dd8448eb211c80319c',
      'otel.span_id': 'b7ad6b7169203331',
      'otel.parent_span_id': '00f067aa0ba902b7',
      'otel.scope.name': 'test-scope',
      'otel.scope.version': '1.0.0',
      a0: 0,
      a1000: 1000,
    });
    expect(create.meta).not.toHaveProperty('a99999');
    expect(Object.keys(create.meta).length).toBeGreaterThan(3000); // the room was used
    expect(create.parent_id).toBe('00f067aa-0ba9-02b7-8448-eb211c80319c');
  });

  it('counts JSON escapes: 1 MB of quotes and control characters', () => {
    translateCapped({ attributes: { quotes: '"'.repeat(1 << 20), ctl: '\u0001'.repeat(1 << 20) } });
  });

  it('cuts multi-byte text on a character boundary', () => {
    const emoji = '😀'.repeat(MB5 / 4);
    const cjk = '漢'.repeat(MB5 / 4);
    const { create } = translateCapped({ attributes: { emoji, cjk } });
    expectCut(create.meta.emoji, '😀😀', bytes(emoji));
    expectCut(create.meta.cjk, '漢漢', bytes(cjk));
  });

  it('keeps identity and timing under every hostile input at once, and a tight limit', () => {
    const numbers = Array.from({ length: 200_000 }, (_, i) => i);
    const attributes: Record<string, unknown> = {
      numbers,
      ['k'.repeat(MB5)]: 'v',
      [ATTR_OPPER_INPUT]: 'i'.repeat(MB5),
      [ATTR_OPPER_OUTPUT]: 'o'.repeat(MB5),
    };
    for (let i = 0; i < 1000; i++) attributes[`attr.${i}`] = 'x'.repeat(2000);
    const events = Array.from({ length: 20_000 }, (_, i) => ({ name: 'e'.repeat(100), time: [1, i] as [number, number] }));
    for (const limit of [LIMIT, 64 * 1024, 4096, 1024]) {
      const { create } = translateCapped(
        {
          name: 'n'.repeat(MB5),
          attributes: attributes as never,
          events,
          parentSpanId: '00f067aa0ba902b7',
          status: { code: SpanStatusCode.ERROR, message: 'm'.repeat(MB5) },
        },
        limit,
      );
      expect(create.parent_id).toBe('00f067aa-0ba9-02b7-8448-eb211c80319c');
      expect(create.meta[META_OPPER_TRUNCATED]).toBe(true);
      expect((create.name as string).startsWith('n')).toBe(true);
    }
  });

  it('falls back to identity, timing and a cut name under a very small limit', () => {
    const { create } = translateCapped(
      { name: 'n'.repeat(10_000), attributes: { a: 'x'.repeat(10_000) }, parentSpanId: '00f067aa0ba902b7' },
      400,
    );
    expect(Object.keys(create).sort()).toEqual(['id', 'meta', 'name', 'parent_id', 'start_time', 'trace_id']);
    expect(create.meta).toEqual({ [META_OPPER_TRUNCATED]: true });
    expectCut(create.name, 'nnn', 10_000);
  });
});

describe('cutString', () => {
  it('never splits a surrogate pair and reports the UTF-8 bytes removed', () => {
    const s = 'a😀b';
    expect(cutString(s, 1)).toBe('a…[truncated 5 bytes]');
    expect(cutString(s, 4)).toBe('a…[truncated 5 bytes]');
    expect(cutString(s, 5)).toBe('a😀…[truncated 1 bytes]');
    expect(cutString('éé', 3)).toBe('é…[truncated 2 bytes]');
    expect(cutString('a"b', 2)).toBe('a…[truncated 2 bytes]');
    expect(cutString('abc', 0)).toBe('…[truncated 3 bytes]');
  });
});

describe('shrinkBody', () => {
  const body = {
    id: 'b7ad6b71-6920-3331-8448-eb211c80319c',
    trace_id: '0af76519-16cd-43dd-8448-eb211c80319c',
    parent_id: '00f067aa-0ba9-02b7-8448-eb211c80319c',
    name: 'span',
    type: 'llm',
    start_time: '2024-03-20T10:00:00.123456Z',
    input: 'i'.repeat(200_000),
    meta: { big: 'b'.repeat(200_000), list: Array.from({ length: 50_000 }, (_, i) => i), keep: 1 },
  };
  const json = JSON.stringify(body);

  it('returns a body that fits unchanged', () => {
    expect(shrinkBody(json, 1 << 20)).toBe(json);
    expect(shrinkBody('{"end_time":"x"}', 100)).toBe('{"end_time":"x"}');
  });

  it('cuts harder to a smaller limit, keeping identity and timing, and marks meta', () => {
    for (const limit of [256 * 1024, 64 * 1024, 8 * 1024, 1024]) {
      const shrunk = shrinkBody(json, limit);
      expect(bytes(shrunk)).toBeLessThanOrEqual(limit);
      const parsed = JSON.parse(shrunk);
      expect(parsed).toMatchObject({
        id: body.id,
        trace_id: body.trace_id,
        parent_id: body.parent_id,
        name: 'span',
        start_time: body.start_time,
      });
      expect(parsed.meta[META_OPPER_TRUNCATED]).toBe(true);
    }
    const parsed = JSON.parse(shrinkBody(json, 64 * 1024));
    expectCut(parsed.input, 'iii', 200_000);
    expect(parsed.meta.keep).toBe(1);
  });

  it('re-caps a translated body whose limit was too generous for the server', () => {
    const translated = translateSpan(makeSpan({ attributes: { [ATTR_OPPER_OUTPUT]: 'o'.repeat(400_000), x: 'y'.repeat(400_000) } }), {
      maxBodyBytes: LIMIT,
    });
    const update = shrinkBody(translated.update, 32 * 1024);
    expect(bytes(update)).toBeLessThanOrEqual(32 * 1024);
    const parsed = JSON.parse(update);
    expect(parsed.end_time).toBe('2024-03-20T10:00:01.000005Z');
    expect(parsed).not.toHaveProperty('meta'); // a PATCH never gains a meta
    expectCut(parsed.output, 'ooo', 400_000);
  });

  it('never throws and always fits, even on text that is not JSON', () => {
    expect(shrinkBody('x'.repeat(5000), 1000)).toBe('{}');
    expect(shrinkBody(undefined as never, 1000)).toBe('{}');
    expect(bytes(shrinkBody(JSON.stringify('s'.repeat(5000)), 1000))).toBeLessThanOrEqual(1000);
    expect(bytes(shrinkBody(JSON.stringify(Array.from({ length: 5000 }, (_, i) => i)), 1000))).toBeLessThanOrEqual(1000);
  });
});

describe('size caps: random bodies', () => {
  it('always fit and keep identity and timing', () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const pieces = ['a', '😀', '漢', '"', '\n', '\u0001', 'é', '\ud800', '\u0000'];
    const pool = Array.from({ length: 100_000 }, () => pieces[random(pieces.length)]).join('');
    const text = (n: number): string => {
      const start = random(pool.length);
      return (pool + pool).slice(start, start + n);
    };
    for (let round = 0; round < 40; round++) {
      const attributes: Record<string, unknown> = {};
      const count = random(50);
      for (let i = 0; i < count; i++) {
        const kind = random(4);
        attributes[text(1 + random(i === 0 ? 5000 : 40))] =
          kind === 0
            ? text(random(60_000))
            : kind === 1
              ? Array.from({ length: random(20_000) }, () => random(1000))
              : kind === 2
                ? [text(random(3000)), text(random(3000))]
                : random(10);
      }
      const limit = 1024 + random(100_000);
      const { create } = translateCapped(
        { name: text(random(3000)), attributes: attributes as never, events: [{ name: text(random(10_000)), time: [1, 0] }] },
        limit,
      );
      expect(create.meta).toBeDefined();
    }
  });
});
