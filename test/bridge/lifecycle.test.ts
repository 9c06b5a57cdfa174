// Readiness, warnings and logs: what an operator sees when the key, the network or the listen
// address is wrong, and the settings and summaries the bridge logs (never the key).
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BridgeWarningCode } from '../../src/bridge/index.js';
import { WarningCode } from '../../src/diagnostics.js';
import { resolveBridgeConfig } from '../../src/bridge/options.js';
import { countSpans } from '../../src/bridge/otlp-spans.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { sdkSpans, startBridge } from './helpers.js';

/** The warnings emitted: their text and code (Jest's sandboxed process gets no 'warning' events, so the call is watched). */
const warnings: Array<{ text: string; code: string | undefined }> = [];

describe('the bridge, as an operator sees it', () => {
  let opper: LocalOpper;
  const bridges: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    opper = await startLocalOpper();
    jest.spyOn(process, 'emitWarning').mockImplementation(((text: string, options?: { code?: string }) => {
      warnings.push({ text, code: options?.code });
    }) as typeof process.emitWarning);
  });
  afterEach(async () => {
    await Promise.all(bridges.splice(0).map((bridge) => bridge.close()));
    warnings.length = 0;
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await opper.close();
  });

  it('is not ready, answers 503 and warns once when Opper rejects its key', async () => {
    const wrongKey = 'sk-wrong-key-0123456789';
    const bridge = await startBridge(opper, { apiKey: wrongKey });
    bridges.push(bridge);
    const body = JsonTraceSerializer.serializeRequest(await sdkSpans(1))!;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${bridge.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(((await response.json()) as { message: string }).message).toMatch(/API key/);
    }
    const ready = await fetch(`${bridge.url}/readyz`);
    expect([ready.status, ((await ready.json()) as { reason: string }).reason]).toEqual([
      503,
      expect.stringMatching(/rejected the API key/),
    ]);
    expect(warnings.filter((w) => w.code === BridgeWarningCode.KeyRejected)).toHaveLength(1);
    // One log line for the kind, however many requests met it.
    expect(bridge.logs.lines.filter((line) => line.cause === 'key-rejected')).toEqual([expect.objectContaining({ level: 'error' })]);
    expect(JSON.stringify(bridge.logs.lines) + warnings.map((w) => w.text).join()).not.toContain(wrongKey);
    expect(opper.spans.size).toBe(0);
  });

  it('is not ready when Opper is unreachable, and ready again with a good key', async () => {
    const down = await startBridge(opper, { baseUrl: 'http://127.0.0.1:9/v2' });
    bridges.push(down);
    const notReady = await fetch(`${down.url}/readyz`);
    expect([notReady.status, ((await notReady.json()) as { reason: string }).reason]).toEqual([503, expect.stringMatching(/unreachable/)]);
    const good = await startBridge(opper);
    bridges.push(good);
    expect((await fetch(`${good.url}/readyz`)).status).toBe(200);
  });

  it("is not ready, answers 503 and names NODE_EXTRA_CA_CERTS once when Opper's certificate is not trusted", async () => {
    const fixture = new URL('../fixtures/tls/', import.meta.url);
    const server = createHttpsServer({
      cert: readFileSync(new URL('test-only-self-signed.crt', fixture)),
      key: readFileSync(new URL('test-only-self-signed.key', fixture)),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    bridges.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const bridge = await startBridge(opper, { baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2` });
    bridges.push(bridge);
    const body = JsonTraceSerializer.serializeRequest(await sdkSpans(2))!;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${bridge.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(503); // the Collector keeps the data and retries
    }
    const ready = await fetch(`${bridge.url}/readyz`);
    expect([ready.status, ((await ready.json()) as { reason: string }).reason]).toEqual([
      503,
      expect.stringMatching(/TLS certificate is not trusted .*NODE_EXTRA_CA_CERTS/),
    ]);
    const tls = warnings.filter((w) => w.code === WarningCode.TlsUntrusted);
    expect(tls).toEqual([
      {
        code: WarningCode.TlsUntrusted,
        text: expect.stringMatching(/^opper-otlp-bridge: the TLS certificate of https:.*NODE_EXTRA_CA_CERTS/),
      },
    ]);
    expect(bridge.getStats().opperRequests).toBe(2); // one probe per OTLP request, no retries
  });

  it('does not start without a key or with an unusable environment, and says why', () => {
    expect(() => resolveBridgeConfig({}, {})).toThrow(/no API key/);
    expect(() => resolveBridgeConfig({}, { OPPER_API_KEY: 'k', OPPER_BASE_URL: 'ftp://x' })).toThrow(/opper-otlp-bridge: .*OPPER_BASE_URL/);
    expect(() => resolveBridgeConfig({ apiKey: 'k', port: 70000 }, {})).toThrow(/port must be an integer between 0 and 65535/);
    expect(resolveBridgeConfig({}, { OPPER_API_KEY: 'k', OPPER_BRIDGE_TOKEN: ' t0k ' })).toMatchObject({
      token: 't0k',
      host: '127.0.0.1',
      port: 4318,
      grpcPort: 4317,
    });
  });

  it('warns at start when it listens beyond loopback without a token, and not with one', async () => {
    const open = await startBridge(opper, { host: '0.0.0.0', grpcPort: false });
    bridges.push(open);
    expect(warnings.map((w) => w.code)).toEqual([BridgeWarningCode.NoToken]);
    expect(open.logs.lines.find((line) => line.cause === 'no-token')?.msg).toMatch(
      /anyone who reaches the port writes into your Opper project/,
    );
    warnings.length = 0;
    const guarded = await startBridge(opper, { host: '0.0.0.0', grpcPort: false, token: 't0ken' });
    bridges.push(guarded);
    const loopback = await startBridge(opper, { grpcPort: false });
    bridges.push(loopback);
    expect(warnings).toEqual([]);
  });

  it('logs its settings at start, then summaries, as one JSON object per line, never the key', async () => {
    const lines: string[] = [];
    let summarised: () => void;
    const summaryAfterDelivery = new Promise<void>((resolve) => (summarised = resolve));
    const write = (line: string) => {
      lines.push(line);
      if (line.includes('"summary"') && line.includes('"spansDelivered":6')) summarised();
    };
    const { startOtlpBridge, jsonLogger } = await import('../../src/bridge/index.js');
    const bridge = await startOtlpBridge({
      baseUrl: opper.url,
      apiKey: opper.apiKey,
      port: 0,
      grpcPort: false,
      summaryIntervalMillis: 20,
      logger: jsonLogger({ write }),
    });
    bridges.push(bridge);
    const body = JsonTraceSerializer.serializeRequest(await sdkSpans(1))!;
    expect((await fetch(`${bridge.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(
      200,
    );
    await summaryAfterDelivery;
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(parsed[0]).toMatchObject({
      level: 'info',
      msg: 'listening',
      http: bridge.url,
      opper: opper.url,
      token: 'none',
      responseDeadlineMillis: 5000,
    });
    expect(parsed.filter((line) => line.msg === 'summary').at(-1)).toMatchObject({ spansDelivered: 6, requests: 1 });
    expect(lines.join('')).not.toContain(opper.apiKey);
  });

  it('logs one debug line per request, with counts and the answer, never the data', async () => {
    const bridge = await startBridge(opper, { grpcPort: false });
    bridges.push(bridge);
    const body = JsonTraceSerializer.serializeRequest(await sdkSpans(2))!;
    const spans = countSpans(JSON.parse(new TextDecoder().decode(body)));
    for (let i = 0; i < 2; i++) {
      expect(
        (await fetch(`${bridge.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status,
      ).toBe(200);
    }
    expect((await fetch(`${bridge.url}/v1/traces`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(
      415,
    );
    const requests = bridge.logs.lines.filter((line) => line.msg === 'request');
    expect(requests).toEqual([
      expect.objectContaining({ level: 'debug', spans, answer: 'ok', rejected: 0, millis: expect.any(Number) }),
      expect.objectContaining({ level: 'debug', spans, answer: 'ok' }),
      expect.objectContaining({ level: 'debug', answer: 'refused', status: 415 }),
    ]);
    expect(JSON.stringify(requests)).not.toContain('span 0');
  });

  it('says only why when it cannot start (a port in use): no draining or stopped first', async () => {
    const first = await startBridge(opper, { grpcPort: false });
    bridges.push(first);
    const { startOtlpBridge } = await import('../../src/bridge/index.js');
    const { memoryLogger } = await import('./helpers.js');
    const logs = memoryLogger();
    const port = Number(new URL(first.url).port);
    await expect(startOtlpBridge({ baseUrl: opper.url, apiKey: opper.apiKey, port, grpcPort: false, logger: logs })).rejects.toThrow(
      /EADDRINUSE/,
    );
    expect(logs.lines.map((line) => line.msg)).toEqual([]);
  });
});
