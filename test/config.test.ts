import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BASE_URL, resolveConfig, type OpperExporterOptions } from '../src/config.js';

describe('resolveConfig', () => {
  it('uses defaults and the environment', () => {
    const config = resolveConfig({}, { OPPER_API_KEY: ' key-1 ', OPPER_BASE_URL: 'http://127.0.0.1:9/v2/' });
    expect(config).toMatchObject({
      apiKey: 'key-1',
      baseUrl: 'http://127.0.0.1:9/v2',
      concurrency: { initial: 128, min: 4, max: 1024 },
      maxPendingSpans: 4096,
    });
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
    [{ apiKey: 42 }, TypeError, /apiKey must be a string, got 42/],
    [{ baseUrl: 'not a url' }, TypeError, /baseUrl is not a valid URL/],
    [{ baseUrl: 'ftp://x.test' }, TypeError, /must be http\(s\)/],
    [{ baseUrl: 'https://user:pw@x.test' }, TypeError, /credentials/],
    [{ timeoutMillis: 0 }, RangeError, /timeoutMillis must be between/],
    [{ timeoutMillis: 1.5 }, TypeError, /timeoutMillis must be an integer/],
    [{ concurrency: 0 }, RangeError, /concurrency/],
    [{ concurrency: '4' }, TypeError, /concurrency must be an integer, got the string "4"/],
    [{ concurrency: null }, TypeError, /concurrency must be an integer, got null/],
    [{ redactSecrets: 'no' }, TypeError, /redactSecrets must be a boolean, got the string "no"/],
    [{ baseUrl: 'api.opper.ai/v2' }, TypeError, /baseUrl is not a valid URL/],
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

  it('treats an empty apiKey option as unset, like an empty OPPER_API_KEY', () => {
    expect(resolveConfig({ apiKey: '' }, {})).toMatchObject({ apiKey: undefined });
    expect(resolveConfig({ apiKey: ' ' }, { OPPER_API_KEY: 'env' })).toMatchObject({ apiKey: 'env', apiKeySource: 'OPPER_API_KEY' });
    expect(resolveConfig({ apiKey: 'k' }, { OPPER_API_KEY: 'env' })).toMatchObject({ apiKeySource: 'the apiKey option' });
  });

  it('accepts undefined for every option (exactOptionalPropertyTypes)', () => {
    const options: OpperExporterOptions = {
      apiKey: undefined,
      baseUrl: undefined,
      timeoutMillis: undefined,
      exportTimeoutMillis: undefined,
      concurrency: undefined,
      maxPendingSpans: undefined,
      headers: undefined,
      maxBodyBytes: undefined,
      redactSecrets: undefined,
      transport: undefined,
    };
    expect(resolveConfig(options, {})).toMatchObject({
      baseUrl: DEFAULT_BASE_URL,
      concurrency: { initial: 128, min: 4, max: 1024 },
      redactSecrets: true,
    });
  });

  it.each(['garbage', 'api.opper.ai/v2', 'https://api.opper.ai/v2?x=1', 'ftp://x.test'])(
    'never throws for OPPER_BASE_URL=%s: reports it, naming the variable',
    (value) => {
      const config = resolveConfig({}, { OPPER_API_KEY: 'k', OPPER_BASE_URL: value });
      expect(config.environmentProblem).toMatch(/^OpperSpanExporter: OPPER_BASE_URL .*spans will not be exported/);
      expect(config.environmentProblem).not.toMatch(/baseUrl/);
    },
  );

  it("chooses the transport: the option, then OPPER_EXPORTER_TRANSPORT, then 'worker'", () => {
    expect(resolveConfig({}, {}).transport).toBe('worker');
    expect(resolveConfig({}, { OPPER_EXPORTER_TRANSPORT: ' inline ' }).transport).toBe('inline');
    expect(resolveConfig({ transport: 'worker' }, { OPPER_EXPORTER_TRANSPORT: 'inline' }).transport).toBe('worker');
    expect(() => resolveConfig({ transport: 'thread' as never }, {})).toThrow(
      /transport must be 'worker' or 'inline', got the string "thread"/,
    );
    const config = resolveConfig({}, { OPPER_API_KEY: 'k', OPPER_EXPORTER_TRANSPORT: 'threads' });
    expect(config.environmentProblem).toMatch(
      /^OpperSpanExporter: OPPER_EXPORTER_TRANSPORT must be worker or inline, got "threads"; spans will not be exported/,
    );
  });

  it('notices an exportTimeoutMillis above the span processor default of 30 s', () => {
    expect(resolveConfig({ exportTimeoutMillis: 30_000 }, {}).notices).toEqual([]);
    expect(resolveConfig({ exportTimeoutMillis: 60_000 }, {}).notices).toEqual([
      { code: 'OPPER_EXPORTER_EXPORT_TIMEOUT', message: expect.stringMatching(/60000 ms, above the span processor's default/) },
    ]);
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
