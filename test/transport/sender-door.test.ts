// The sender's log lines name the door it serves, as the engine setup hands it over.
import { afterEach, describe, expect, it } from '@jest/globals';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { resolveConfig, type Door } from '../../src/config.js';
import { Warnings } from '../../src/diagnostics.js';
import { deliverySetup, problemWarnings } from '../../src/engine-setup.js';
import { engineOptions } from '../../src/transport/delivery.js';
import { startLocalOpper } from '../../src/testing/index.js';
import { SpanSender, type RequestSender } from '../../src/transport/span-sender.js';
import { endedIds, otlpExporter, sdkWith, startBridge, waitForAll } from '../bridge/helpers.js';

afterEach(() => diag.disable());

function collectDiag(): string[] {
  const lines: string[] = [];
  const collect = (message: string) => lines.push(message);
  diag.setLogger({ error: collect, warn: collect, info: collect, debug: collect, verbose: collect }, DiagLogLevel.ALL);
  return lines;
}

/** Answers the first request 503, then every one as Opper would. */
function busyOnce(): RequestSender {
  let calls = 0;
  return {
    async request(method, _path, body) {
      if (calls++ === 0) return { status: 503, body: '{"error":"busy"}' };
      return { status: 200, body: method === 'POST' ? body : '{}' };
    },
  };
}

describe('SpanSender retry lines', () => {
  it.each<Door>(['OpperSpanExporter', 'OpperSpanProcessor', 'opper-otlp-bridge'])('name %s, the door in use', async (door) => {
    const lines = collectDiag();
    const config = resolveConfig({ apiKey: 'k', baseUrl: 'http://opper.invalid/v2' }, {}, door);
    const setup = deliverySetup(config, door, 'test');
    const sender = new SpanSender(busyOnce(), engineOptions(setup, { onProblem: problemWarnings(config, new Warnings('k'), door) }).sender);
    const report = await sender.deliver([{ id: 'a', create: '{"id":"a"}', update: '{}' }], Date.now() + 10_000);
    expect(report.failures).toEqual([]);
    const retries = lines.filter((line) => line.includes(' failed ('));
    expect(retries).toEqual([expect.stringMatching(new RegExp(`^${door}: POST /spans failed \\(HTTP 503`))]);
  });

  it('name opper-otlp-bridge from a running bridge', async () => {
    const opper = await startLocalOpper();
    const bridge = await startBridge(opper, { grpcPort: false });
    const client = sdkWith([otlpExporter('json', bridge)]);
    try {
      opper.inject({ status: 503, times: 1, match: { method: 'POST' } });
      const lines = collectDiag();
      client.provider.getTracer('door').startSpan('one').end();
      await client.provider.forceFlush();
      await waitForAll(opper, endedIds(client.recorded));
      const retries = lines.filter((line) => line.includes(' failed ('));
      expect(retries).toEqual([expect.stringMatching(/^opper-otlp-bridge: POST \/spans failed \(HTTP 503/)]);
    } finally {
      await client.shutdown();
      await bridge.close();
      await opper.close();
    }
  });
});
