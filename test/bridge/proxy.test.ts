// The bridge behind a forward proxy: deliveries and the /readyz probe both go through it. Opper is
// reached as `opper.test`, a name only the proxy resolves (see test/e2e/proxy-helpers.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { WarningCode } from '../../src/diagnostics.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { deadPort, startCountingProxy, type CountingProxy } from '../e2e/proxy-helpers.js';
import { sdkSpans, startBridge } from './helpers.js';

describe('the bridge with a proxy', () => {
  let opper: LocalOpper;
  let proxy: CountingProxy;
  const bridges: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    opper = await startLocalOpper();
    proxy = await startCountingProxy();
  });
  afterEach(async () => {
    await Promise.all(bridges.splice(0).map((bridge) => bridge.close()));
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await proxy.close();
    await opper.close();
  });
  const baseUrl = () => opper.url.replace('127.0.0.1', 'opper.test');

  it('is ready and forwards through it, and logs the proxy without credentials', async () => {
    const bridge = await startBridge(opper, {
      baseUrl: baseUrl(),
      grpcPort: false,
      proxy: `http://bridge:pa55word@127.0.0.1:${proxy.port}`,
    });
    bridges.push(bridge);
    // Asked before any delivery: the answer comes from the probe, which must go through the proxy too.
    expect((await fetch(`${bridge.url}/readyz`)).status).toBe(200);
    const body = JsonTraceSerializer.serializeRequest(await sdkSpans(1))!;
    const response = await fetch(`${bridge.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(opper.spans.size).toBeGreaterThan(0);
    expect(proxy.connects).toBeGreaterThanOrEqual(1);
    expect(proxy.credentials).toContain('bridge:pa55word');
    expect(bridge.logs.lines.find((line) => line.msg === 'listening')).toMatchObject({ proxy: `http://127.0.0.1:${proxy.port}` });
    expect(JSON.stringify(bridge.logs.lines)).not.toContain('pa55word');
  });

  it('that refuses connections: not ready, requests answered "send again", one warning and one log line naming it', async () => {
    const port = await deadPort();
    // Jest's sandboxed process gets no 'warning' events: watch the call.
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const bridge = await startBridge(opper, {
      baseUrl: baseUrl(),
      grpcPort: false,
      responseDeadlineMillis: 500,
      proxy: `http://bridge:pa55word@127.0.0.1:${port}`,
    });
    bridges.push(bridge);
    const ready = await fetch(`${bridge.url}/readyz`);
    expect([ready.status, ((await ready.json()) as { reason: string }).reason]).toEqual([
      503,
      expect.stringMatching(/proxy http:\/\/127\.0\.0\.1:\d+ refused the connection/),
    ]);
    const body = JsonTraceSerializer.serializeRequest(await sdkSpans(1))!;
    const response = await fetch(`${bridge.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(503);
    const message = `opper-otlp-bridge: the proxy http://127.0.0.1:${port} (from the proxy option) refused the connection (ECONNREFUSED); spans are not reaching Opper.`;
    expect(emitWarning.mock.calls).toEqual([[message, { code: WarningCode.ProxyFailed, type: 'OpperExporterWarning' }]]);
    expect(bridge.logs.lines.filter((line) => line.cause === 'proxy-failed')).toEqual([
      expect.objectContaining({ level: 'warn', msg: message }),
    ]);
    expect(JSON.stringify(bridge.logs.lines)).not.toContain('pa55word');
  });
});
