import { describe, expect, it } from '@jest/globals';
import { toOpperSpanId, toOpperTraceId } from '../../src/translate/index.js';
import { UUID } from './helpers.js';

describe('ids', () => {
  it('matches the example of mapping.md', () => {
    expect(toOpperTraceId('0af7651916cd43dd8448eb211c80319c')).toBe('0af76519-16cd-43dd-8448-eb211c80319c');
    expect(toOpperSpanId('b7ad6b7169203331', '0af7651916cd43dd8448eb211c80319c')).toBe('b7ad6b71-6920-3331-8448-eb211c80319c');
  });

  it('keeps the span id first and the trace tail last, so spans of one trace differ only in the head', () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(toOpperSpanId('00f067aa0ba902b7', trace)).toBe('00f067aa-0ba9-02b7-a3ce-929d0e0e4736');
    expect(toOpperSpanId('00f067aa0ba902b8', trace)).not.toBe(toOpperSpanId('00f067aa0ba902b7', trace));
  });

  it('normalises upper case and separators', () => {
    expect(toOpperTraceId('0AF7651916CD43DD8448EB211C80319C')).toBe('0af76519-16cd-43dd-8448-eb211c80319c');
    expect(toOpperTraceId('0af76519-16cd-43dd-8448-eb211c80319c')).toBe('0af76519-16cd-43dd-8448-eb211c80319c');
    expect(toOpperSpanId('B7AD6B7169203331', '0AF7651916CD43DD8448EB211C80319C')).toBe('b7ad6b71-6920-3331-8448-eb211c80319c');
  });

  it('left-pads short ids with zeros (a 64-bit trace id as OTel widens it)', () => {
    expect(toOpperTraceId('8448eb211c80319c')).toBe('00000000-0000-0000-8448-eb211c80319c');
    expect(toOpperSpanId('abc', '8448eb211c80319c')).toBe('00000000-0000-0abc-8448-eb211c80319c');
  });

  it('never throws and always returns a UUID shape, whatever it is given', () => {
    const bad: unknown[] = ['', 'zz', 'not hex at all', 'f'.repeat(100), undefined, null, 42, {}, '\u0000\ud800'];
    for (const a of bad) {
      expect(toOpperTraceId(a as string)).toMatch(UUID);
      for (const b of bad) expect(toOpperSpanId(a as string, b as string)).toMatch(UUID);
    }
    expect(toOpperTraceId('f'.repeat(100))).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
  });
});
