// The exporter's `mask` applies to the bridge too: a secret in an OTLP span never reaches Opper.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { endedIds, otlpExporter, sdkWith, startBridge, waitForAll } from './helpers.js';

const SECRET = 'sk-bridge-secret-4242';
let opper: LocalOpper;
let bridge: Awaited<ReturnType<typeof startBridge>>;
beforeAll(async () => {
  opper = await startLocalOpper();
  bridge = await startBridge(opper, { mask: (value) => value.split(SECRET).join('***') });
});
afterAll(async () => {
  await bridge.close();
  await opper.close();
});

it('masks input, meta and exception messages of spans that arrive as OTLP', async () => {
  const client = sdkWith([otlpExporter('proto', bridge)]);
  const span = client.provider.getTracer('gen_ai').startSpan('chat');
  span.setAttributes({
    'gen_ai.operation.name': 'chat',
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: SECRET }] }]),
    'app.note': `key ${SECRET}`,
  });
  span.recordException(new Error(`failed with ${SECRET}`));
  span.end();
  const ids = endedIds(client.recorded);
  await client.shutdown();
  await waitForAll(opper, ids);
  const stored = JSON.stringify([...opper.spans.values()]);
  expect(stored).toContain('***');
  expect(stored).not.toContain(SECRET);
  expect(JSON.stringify(opper.requests)).not.toContain(SECRET);
});
