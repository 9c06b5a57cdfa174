import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BASE_URL, resolveConfig } from '../src/config.js';

describe('resolveConfig', () => {
  it('uses defaults and the environment', () => {
    const config = resolveConfig({}, { OPPER_API_KEY: ' key-1 ', OPPER_BASE_URL: 'http://127.0.0.1:9/v2/' });
    expect(config).toMatchObject({ apiKey: 'key-1', baseUrl: 'http://127.0.0.1:9/v2', concurrency: 32, maxPendingSpans: 4096 });
    expect(config.timeoutMillis).toBeLessThan(config.exportTimeoutMillis);
    expect(config.exportTimeoutMillis).toBeLessThan(30_000); // inside the batch processor's own timeout
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('prefers options over the environment and treats an empty variable as unset', () => {
    expect(resolveConfig({ apiKey: 'opt', baseUrl: 'https://x.test/v2' }, { OPPER_API_KEY: 'env' })).toMatchObject({
      apiKey: 'opt',
      baseUrl: 'https://x.test/v2',
    });
    expect(resolveConfig({}, { OPPER_API_KEY: '  ', OPPER_BASE_URL: '' })).toMatchObject({
      apiKey: undefined,
      baseUrl: DEFAULT_BASE_URL,
    });
  });

  it.each([
    [{ apiKey: '' }, TypeError, /apiKey must be a non-empty string/],
    [{ apiKey: 42 }, TypeError, /apiKey/],
    [{ baseUrl: 'not a url' }, TypeError, /baseUrl is not a valid URL/],
    [{ baseUrl: 'ftp://x.test' }, TypeError, /must be http\(s\)/],
    [{ baseUrl: 'https://user:pw@x.test' }, TypeError, /credentials/],
    [{ timeoutMillis: 0 }, RangeError, /timeoutMillis must be between/],
    [{ timeoutMillis: 1.5 }, TypeError, /timeoutMillis must be an integer/],
    [{ concurrency: 0 }, RangeError, /concurrency/],
    [{ concurrency: '4' }, TypeError, /concurrency must be an integer/],
    [{ exportTimeoutMillis: -1 }, RangeError, /exportTimeoutMillis/],
    [{ maxPendingSpans: 0 }, RangeError, /maxPendingSpans/],
    [{ maxBodyBytes: 2 * 1024 * 1024 }, RangeError, /maxBodyBytes/],
    [{ headers: [] }, TypeError, /headers must be an object/],
    [{ headers: { 'x-a': 1 } }, TypeError, /must be a string/],
    [{ headers: { 'bad header': 'v' } }, TypeError, /not a valid HTTP header/],
    [{ headers: { 'x-a': 'v\r\ninjected: 1' } }, TypeError, /not a valid HTTP header/],
    [{ headers: { Authorization: 'Bearer other' } }, TypeError, /set by the exporter/],
  ])('rejects %j', (options, type, message) => {
    expect(() => resolveConfig(options as never, {})).toThrow(type);
    expect(() => resolveConfig(options as never, {})).toThrow(message);
  });

  it('never puts the key in an error message', () => {
    const secret = 'sk-very-secret';
    try {
      resolveConfig({ concurrency: -1 }, { OPPER_API_KEY: secret });
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
    expect.assertions(1);
  });

  it('keeps extra headers, lower-cased', () => {
    expect(resolveConfig({ headers: { 'X-Team': 'llm' } }, {}).headers).toEqual({ 'x-team': 'llm' });
  });
});
