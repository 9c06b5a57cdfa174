import { describe, expect, it } from '@jest/globals';
import { mulberry32 } from '../../src/testing/faults.js';
import {
  checkCreate,
  checkUpdate,
  findBadString,
  isJsonContentType,
  isUuid,
  parseDateTime,
  parseJsonObject,
} from '../../src/testing/validate.js';

describe('parseDateTime', () => {
  it('reads offsets and up to 6 fractional digits', () => {
    expect(parseDateTime('2025-03-01T10:00:00Z')).toEqual({ ms: Date.UTC(2025, 2, 1, 10) });
    expect(parseDateTime('2025-03-01T12:00:00+02:00')).toEqual({ ms: Date.UTC(2025, 2, 1, 10) });
    expect(parseDateTime('2025-03-01T05:30:00.25-05:00')).toEqual({ ms: Date.UTC(2025, 2, 1, 10, 30, 0, 250) });
    const micros = parseDateTime('2025-03-01T10:00:00.000001Z');
    expect('ms' in micros && micros.ms).toBeGreaterThan(Date.UTC(2025, 2, 1, 10));
    expect(parseDateTime('2024-02-29T00:00:00Z')).toHaveProperty('ms');
  });

  it('refuses more than 6 digits, naive times and impossible dates', () => {
    expect(parseDateTime('2025-03-01T10:00:00.1234567Z')).toEqual({
      rule: 'datetime-precision',
      message: 'second fraction value is more than 6 digits long',
    });
    for (const bad of [
      '2025-03-01T10:00:00',
      '2025-03-01 10:00:00Z',
      '2025-03-01',
      '2025-02-29T00:00:00Z',
      '2025-13-01T00:00:00Z',
      '2025-03-01T24:00:00Z',
      '2025-03-01T10:00:00+0200',
      '1740823200',
    ]) {
      expect([bad, parseDateTime(bad)]).toEqual([bad, expect.objectContaining({ rule: 'datetime' })]);
    }
  });
});

describe('small checks', () => {
  it('isUuid takes any version, either case, hyphenated only', () => {
    expect(isUuid('0AF76519-16CD-43DD-8448-EB211C80319C')).toBe(true);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('0af7651916cd43dd8448eb211c80319c')).toBe(false);
    expect(isUuid('{0af76519-16cd-43dd-8448-eb211c80319c}')).toBe(false);
  });

  it('isJsonContentType allows parameters only', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/jsonl')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it('parseJsonObject wants UTF-8 JSON holding an object', () => {
    expect(parseJsonObject(Buffer.from('{"a":1}'))).toEqual({ body: { a: 1 } });
    expect(parseJsonObject(Buffer.from([0xc3, 0x28]))).toMatchObject({ issue: { rule: 'invalid-utf8' } });
    expect(parseJsonObject(Buffer.from(''))).toMatchObject({ issue: { rule: 'invalid-json' } });
    expect(parseJsonObject(Buffer.from('null'))).toMatchObject({ issue: { rule: 'schema' } });
  });
});

describe('findBadString', () => {
  it('finds NULs and lone surrogates in keys and values at any depth, and allows pairs', () => {
    expect(findBadString({ a: ['😀', { '𝄞': 'ok' }] })).toBeUndefined();
    expect(findBadString({ a: [{ b: 'x\u0000' }] })?.rule).toBe('surrogate-or-nul');
    expect(findBadString({ a: { '\udfff': 1 } })?.rule).toBe('surrogate-or-nul');
    expect(findBadString(['\ud83d'])?.rule).toBe('surrogate-or-nul');
    expect(findBadString('\ud83d\ude00\ud83d')?.rule).toBe('surrogate-or-nul');
  });

  it('walks deeply nested JSON without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}"\\u0000"${']'.repeat(200_000)}`);
    expect(findBadString(deep)?.rule).toBe('surrogate-or-nul');
  });
});

describe('checkCreate / checkUpdate', () => {
  it('reports each issue with its rule, unknown fields included', () => {
    expect(checkCreate({ name: 'n', id: null, trace_id: null, input: [1], output: 2, meta: null, score: null })).toEqual([]);
    expect(checkCreate({ score: 1.5, foo: 1 }).map((i) => i.rule)).toEqual(['schema', 'score-not-integer', 'unknown-field']);
    expect(checkCreate(JSON.parse('{"name":"n","__proto__":{}}')).map((i) => i.rule)).toEqual(['unknown-field']);
  });

  it('PATCH takes strings or null for input/output and no ids', () => {
    expect(checkUpdate({ input: 'a', output: null, name: null, meta: { a: 1 } })).toEqual([]);
    expect(checkUpdate({ input: {}, output: 1, id: 'x' }).map((i) => `${i.field}:${i.rule}`)).toEqual([
      'input:schema',
      'output:schema',
      'id:unknown-field',
    ]);
  });
});

describe('mulberry32', () => {
  it('is deterministic per seed and within [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(draws[0]);
  });
});
