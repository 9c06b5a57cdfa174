// The bridge's configuration speaks for the bridge: no message of it names another door.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { resolveBridgeConfig } from '../../src/bridge/options.js';

const BIN = fileURLToPath(new URL('../../dist/bridge/bin.js', import.meta.url));
const KEY = { OPPER_API_KEY: 'k' };

function refusal(options: object, env: NodeJS.ProcessEnv = KEY): Error {
  try {
    resolveBridgeConfig(options as never, env);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected resolveBridgeConfig to throw');
}

describe('resolveBridgeConfig names the bridge', () => {
  it('for a bad concurrency option: opper-otlp-bridge, not OpperSpanExporter', () => {
    const range = refusal({ concurrency: 0 });
    expect(range).toBeInstanceOf(RangeError);
    expect(range.message).toBe('opper-otlp-bridge: concurrency must be an integer between 1 and 4096, got 0');
    const type = refusal({ concurrency: 2.5 });
    expect(type).toBeInstanceOf(TypeError);
    expect(type.message).toBe('opper-otlp-bridge: concurrency must be an integer between 1 and 4096, got 2.5');
  });

  it.each([
    [{ maxConcurrency: 5000 }, /maxConcurrency must be an integer between 1 and 4096, got 5000/],
    [{ timeoutMillis: 0 }, /timeoutMillis must be an integer between 1 and 600000, got 0/],
    [{ maxPendingSpans: '8' }, /maxPendingSpans must be an integer between 1 and 10000000, got the string "8"/],
    [{ baseUrl: 'ftp://x.test' }, /baseUrl must be http\(s\)/],
    [{ apiKey: 42 }, /apiKey must be a string, got 42/],
    [{ headers: { Host: 'x' } }, /header "Host" is set by/],
    [{ proxy: 'socks5://p:1080' }, /proxy must be an http\(s\) proxy/],
    [{ transport: 'thread' }, /transport must be 'worker' or 'inline'/],
    [{ mask: 'all' }, /mask must be a function/],
    [{ port: 70000 }, /port must be an integer between 0 and 65535, got 70000/],
  ])('for the option %j', (options, message) => {
    const error = refusal({ apiKey: 'k', ...options });
    expect(error.message).toMatch(/^opper-otlp-bridge: /);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/OpperSpanExporter|OpperSpanProcessor/);
  });

  it.each([
    [{ OPPER_EXPORTER_TRANSPORT: 'threads' }, /^opper-otlp-bridge: OPPER_EXPORTER_TRANSPORT must be worker or inline, got "threads"/],
    [{ OPPER_BASE_URL: 'ftp://x' }, /^opper-otlp-bridge: OPPER_BASE_URL must be http\(s\)/],
    [{ HTTPS_PROXY: 'socks5://p:1080' }, /^opper-otlp-bridge: HTTPS_PROXY must be an http\(s\) proxy/],
    [
      { OPPER_BRIDGE_MAX_CONNECTIONS: '0' },
      /^opper-otlp-bridge: OPPER_BRIDGE_MAX_CONNECTIONS must be an integer between 1 and 1000000, got 0$/,
    ],
    [{ OPPER_BRIDGE_REQUEST_TIMEOUT_MS: 'soon' }, /^opper-otlp-bridge: OPPER_BRIDGE_REQUEST_TIMEOUT_MS .*got the string "soon"$/],
  ])('for the environment %j, once, naming the variable', (env, message) => {
    const error = refusal({}, { ...KEY, ...env });
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/OpperSpanExporter|OpperSpanProcessor/);
    expect(error.message.match(/opper-otlp-bridge: /g)).toHaveLength(1);
  });

  it('gives no exportTimeoutMillis notice: the bridge answers within its own responseDeadlineMillis', () => {
    expect(resolveBridgeConfig({ exportTimeoutMillis: 60_000 }, KEY).connection.notices).toEqual([]);
  });
});

describe('opper-otlp-bridge --concurrency 0', () => {
  it('does not start, and says the bridge refused it', () => {
    if (!existsSync(BIN)) throw new Error('dist/ is missing: run `npm run build` first');
    const result = spawnSync(process.execPath, [BIN, '--port', '0', '--grpc-port', 'off', '--concurrency', '0'], {
      env: { PATH: process.env.PATH, OPPER_API_KEY: 'k', OPPER_BASE_URL: 'http://127.0.0.1:9/v2' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'could not start',
        error: 'opper-otlp-bridge: concurrency must be an integer between 1 and 4096, got 0',
      }),
    );
    expect(result.stderr).not.toMatch(/OpperSpanExporter/);
  });
});
