// Issue 22: a batch that Opper is too slow to take within the response deadline is answered "send
// again"; each re-send must carry only what is still missing, and the work still running at the
// deadline goes on, so the batch lands in a few tries instead of starting over every time.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { deliveryProblems, endedIds, otlpExporter, opperIds, sdkWith, startBridge } from './helpers.js';

/** `count` small spans from a real SDK, ten to a trace. */
async function manySpans(count: number): Promise<ReadableSpan[]> {
  const client = sdkWith([]);
  const tracer = client.provider.getTracer('convergence');
  for (let n = 0; n < count; n += 10) {
    tracer.startActiveSpan(`batch ${n}`, (root) => {
      for (let i = 1; i < 10 && n + i < count; i++) tracer.startSpan(`step ${n + i}`, { attributes: { 'step.index': n + i } }).end();
      root.end();
    });
  }
  await client.provider.forceFlush();
  const spans = client.recorded.getFinishedSpans();
  await client.shutdown();
  return spans;
}

/**
 * How many tries a batch takes is how much of it the machine gets through per response deadline:
 * a throughput, which a loaded machine (the bridge, the local Opper and this test share one event
 * loop) cuts several-fold. So the tests below do not bound the tries: they send until the batch
 * lands (up to `MAX_TRIES`, only so that a bridge that never converges still ends; Jest's limit of
 * 240 s covers that many tries, each a response deadline and a Retry-After) and assert what
 * converging means, that each re-send only carries what is missing. Starting over would cost the
 * whole batch again in creates on every try; converging costs the batch once, plus, per re-send,
 * the creates cut off in flight at the previous deadline (bounded by the sender's concurrency,
 * not by the batch): at most a quarter of the batch per re-send.
 */
const MAX_TRIES = 30;

function maxCreates(spans: number, tries: number): number {
  return spans + (tries - 1) * (spans / 4);
}

/** Sends the request as a Collector does: again `retryAfter` after each "send again", until a 200 or `maxTries`. */
async function sendUntilDone(url: string, body: Uint8Array, maxTries: number): Promise<{ tries: number; statuses: number[] }> {
  const statuses: number[] = [];
  for (let tries = 1; tries <= maxTries; tries++) {
    const response = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
    await response.arrayBuffer();
    statuses.push(response.status);
    if (response.status === 200) return { tries, statuses };
    expect([429, 503]).toContain(response.status);
    const retryAfter = Number(response.headers.get('retry-after') ?? '2');
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  }
  return { tries: Infinity, statuses };
}

describe('a batch re-sent to a bridge in front of a slow Opper', () => {
  let opper: LocalOpper;
  beforeEach(async () => {
    opper = await startLocalOpper();
  });
  afterEach(() => opper.close());

  it('lands the 512-span batch at 200 ms per request, each try sending what is missing', async () => {
    opper.inject({ delayMs: 200 });
    const bridge = await startBridge(opper, { grpcPort: false });
    try {
      const spans = await manySpans(512);
      const { tries, statuses } = await sendUntilDone(bridge.url, ProtobufTraceSerializer.serializeRequest(spans)!, MAX_TRIES);
      const ids = opperIds(spans);
      expect({ landed: tries <= MAX_TRIES, statuses }).toEqual({ landed: true, statuses: expect.arrayContaining([200]) });
      expect(deliveryProblems(opper, ids).missing).toEqual([]);
      // Each try carried only what was missing (a quiet machine takes 3 tries: at most 768 creates).
      expect(opper.requests.filter((request) => request.method === 'POST').length).toBeLessThanOrEqual(maxCreates(512, tries));
      expect(opper.violations.filter((v) => v.rule !== 'not-found')).toEqual([]);
    } finally {
      await bridge.close();
    }
  }, 240_000);

  it('lands the 2,000-span batch, 2 s deadline, 50 ms a request, each try sending what is missing', async () => {
    opper.inject({ delayMs: 50 });
    const bridge = await startBridge(opper, { grpcPort: false, responseDeadlineMillis: 2000 });
    try {
      const spans = await manySpans(2000);
      const { tries, statuses } = await sendUntilDone(bridge.url, ProtobufTraceSerializer.serializeRequest(spans)!, MAX_TRIES);
      const ids = opperIds(spans);
      expect({ landed: tries <= MAX_TRIES, statuses }).toEqual({ landed: true, statuses: expect.arrayContaining([200]) });
      expect(deliveryProblems(opper, ids).missing).toEqual([]);
      // Each try carried only what was missing (starting over costs about 2,000 creates a try).
      expect(opper.requests.filter((request) => request.method === 'POST').length).toBeLessThanOrEqual(maxCreates(2000, tries));
      // The sender never took the slow Opper for a down one: its answers stayed "send again", not "busy".
      expect(bridge.getStats().refused.busy ?? 0).toBe(0);
    } finally {
      await bridge.close();
    }
  }, 240_000);

  it("lands a 512-span batch through OpenTelemetry's own OTLP/protobuf exporter and its retries, as the README sets it up", async () => {
    opper.inject({ delayMs: 200 });
    const bridge = await startBridge(opper, { grpcPort: false });
    try {
      // The README's setting: a timeout that leaves room for a retry after the response deadline (5 s) and Retry-After (2 s).
      const client = sdkWith([otlpExporter('proto', bridge, { timeoutMillis: 30_000 })], {
        batch: { maxExportBatchSize: 512, maxQueueSize: 2048, scheduledDelayMillis: 50 },
      });
      const tracer = client.provider.getTracer('convergence-sdk');
      for (let n = 0; n < 512; n++) tracer.startSpan(`span ${n}`).end();
      await client.provider.forceFlush();
      const ids = endedIds(client.recorded);
      await client.shutdown();
      expect(ids).toHaveLength(512);
      expect(deliveryProblems(opper, ids)).toEqual({ missing: [], duplicated: [] });
      expect(opper.requests.filter((request) => request.method === 'POST').length).toBeLessThanOrEqual(768);
    } finally {
      await bridge.close();
    }
  }, 120_000);
});
