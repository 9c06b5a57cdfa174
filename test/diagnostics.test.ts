// The warnings' redaction of the API key: real keys never show, and a short placeholder (`k`, `e`)
// is no key, so it must not garble every message by being "redacted" out of ordinary words.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MIN_REDACTED_LENGTH, Warnings } from '../src/diagnostics.js';

afterEach(() => {
  jest.restoreAllMocks();
});

describe('Warnings', () => {
  it.each(['k', 'e'])('leaves the text alone for a placeholder key %j', (key) => {
    const emitted: string[] = [];
    jest.spyOn(process, 'emitWarning').mockImplementation(((text: string) => void emitted.push(text)) as typeof process.emitWarning);
    new Warnings(key).once('CODE', 'OpperSpanExporter: Opper rejected the API key (HTTP 401); check OPPER_API_KEY.');
    expect(emitted).toEqual(['OpperSpanExporter: Opper rejected the API key (HTTP 401); check OPPER_API_KEY.']);
  });

  it('removes a real key wherever it shows, from the shortest length up', () => {
    const key = 'x'.repeat(MIN_REDACTED_LENGTH);
    expect(new Warnings(key).redact(`GET https://opper.example/v2?k=${key}: ${key}`)).toBe(
      'GET https://opper.example/v2?k=[REDACTED]: [REDACTED]',
    );
    expect(new Warnings('sk-live-0123456789abcdef').redact('key sk-live-0123456789abcdef rejected')).toBe('key [REDACTED] rejected');
    expect(new Warnings(undefined).redact('text')).toBe('text');
  });
});
