// The processor's configuration speaks for the processor: no message of it names another door.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { OpperSpanProcessor } from '../../src/index.js';
import { resolveProcessorConfig } from '../../src/processor/config.js';

function refusal(options: object): Error {
  try {
    resolveProcessorConfig(options as never, {});
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected resolveProcessorConfig to throw');
}

describe('resolveProcessorConfig names OpperSpanProcessor', () => {
  it.each([
    [{ concurrency: 0 }, RangeError, 'OpperSpanProcessor: concurrency must be between 1 and 4096, got 0'],
    [{ concurrency: '4' }, TypeError, 'OpperSpanProcessor: concurrency must be an integer, got the string "4"'],
    [{ maxQueueSize: 0 }, RangeError, 'OpperSpanProcessor: maxQueueSize must be between 1 and 10000000, got 0'],
    [{ shutdownTimeoutMillis: 1.5 }, TypeError, 'OpperSpanProcessor: shutdownTimeoutMillis must be an integer, got 1.5'],
    [{ baseUrl: 'ftp://x.test' }, TypeError, 'OpperSpanProcessor: baseUrl must be http(s), got ftp:'],
    [{ proxy: 'socks5://p:1080' }, TypeError, 'OpperSpanProcessor: proxy must be an http(s) proxy, got socks5:'],
    [{ redactSecrets: 'no' }, TypeError, 'OpperSpanProcessor: redactSecrets must be a boolean, got the string "no"'],
    [{ headers: { Authorization: 'Bearer other' } }, TypeError, 'OpperSpanProcessor: header "Authorization" is set by the processor'],
  ])('for the option %j', (options, type, message) => {
    const error = refusal(options);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });

  it.each([
    [{ OPPER_EXPORTER_TRANSPORT: 'threads' }, /^OpperSpanProcessor: OPPER_EXPORTER_TRANSPORT must be worker or inline/],
    [{ OPPER_BASE_URL: 'ftp://x' }, /^OpperSpanProcessor: OPPER_BASE_URL must be http\(s\)/],
    [{ HTTPS_PROXY: 'socks5://p:1080' }, /^OpperSpanProcessor: HTTPS_PROXY must be an http\(s\) proxy/],
  ])('for the environment %j, without throwing', (env, message) => {
    const { environmentProblem } = resolveProcessorConfig({}, { OPPER_API_KEY: 'k', ...env }).connection;
    expect(environmentProblem).toMatch(message);
    expect(environmentProblem).not.toMatch(/OpperSpanExporter/);
  });

  it("words the exportTimeoutMillis notice for the processor: the tracer provider's forceFlushTimeoutMillis", () => {
    expect(resolveProcessorConfig({ exportTimeoutMillis: 30_000 }, {}).connection.notices).toEqual([]);
    const [notice, ...more] = resolveProcessorConfig({ exportTimeoutMillis: 60_000 }, {}).connection.notices;
    expect(more).toEqual([]);
    expect(notice?.code).toBe('OPPER_EXPORTER_EXPORT_TIMEOUT');
    expect(notice?.message).toMatch(
      /^OpperSpanProcessor: exportTimeoutMillis is 60000 ms, above the tracer provider's default forceFlushTimeoutMillis/,
    );
    expect(notice?.message).not.toMatch(/processor's exportTimeoutMillis|OpperSpanExporter/);
  });
});

describe('OpperSpanProcessor warnings from its configuration', () => {
  const saved = process.env.OPPER_EXPORTER_TRANSPORT;
  afterEach(() => {
    if (saved === undefined) delete process.env.OPPER_EXPORTER_TRANSPORT;
    else process.env.OPPER_EXPORTER_TRANSPORT = saved;
  });

  it('says a bad environment and the notice as OpperSpanProcessor', async () => {
    // Jest's sandboxed `process` does not receive 'warning' events, so watch the call itself.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    process.env.OPPER_EXPORTER_TRANSPORT = 'threads';
    const processor = new OpperSpanProcessor({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v2', exportTimeoutMillis: 60_000 });
    try {
      const said = emitWarning.mock.calls.map(([text, options]) => [(options as { code: string }).code, String(text)]);
      expect(said).toEqual([
        ['OPPER_EXPORTER_EXPORT_TIMEOUT', expect.stringMatching(/^OpperSpanProcessor: exportTimeoutMillis is 60000 ms/)],
        ['OPPER_EXPORTER_BAD_ENVIRONMENT', expect.stringMatching(/^OpperSpanProcessor: OPPER_EXPORTER_TRANSPORT must be worker or inline/)],
      ]);
    } finally {
      await processor.shutdown();
      emitWarning.mockRestore();
    }
  });

  it('refuses a bad option in its constructor, naming itself', () => {
    expect(() => new OpperSpanProcessor({ apiKey: 'k', concurrency: 0 })).toThrow(
      new RangeError('OpperSpanProcessor: concurrency must be between 1 and 4096, got 0'),
    );
  });
});
