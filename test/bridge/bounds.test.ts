// Issue 22: the bridge process (the bin) stays within its byte bound plus the documented fixed
// overhead, under one request of 160,000 tiny spans and under 64 concurrent 8 MiB bodies, and keeps
// answering /healthz meanwhile. Figures (latencies) are measured by a script, not here: this counts
// outcomes, the process's peak RSS as Linux reports it among them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import protobuf from 'protobufjs';
import { OTLP_TRACE_SCHEMA } from '../../src/bridge/otlp-schema.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { spawnBridge, type BridgeProcess } from './processes.js';

const MAX_PENDING_BYTES = 64 * 1024 * 1024;
// The documented fixed overhead (README, "Limits"): the process itself, the part of a request in hand, sockets.
const FIXED_OVERHEAD = 192 * 1024 * 1024;

const Request = protobuf.Root.fromJSON(OTLP_TRACE_SCHEMA).lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** One request of `count` spans, each `padding` bytes of attribute beyond the ids and times. */
function requestOf(count: number, padding: number): Buffer {
  const spans = Array.from({ length: count }, (_, i) => {
    const traceId = Buffer.alloc(16, 7);
    traceId.writeUInt32BE(Math.floor(i / 10) + 1, 12);
    const spanId = Buffer.alloc(8, 9);
    spanId.writeUInt32BE(i + 1, 4);
    const attributes = padding > 0 ? [{ key: 'payload', value: { stringValue: 'p'.repeat(padding) } }] : [];
    return { traceId, spanId, name: 'x', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', attributes };
  });
  return Buffer.from(Request.encode(Request.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] })).finish());
}

/** The peak resident memory of a process, in bytes (Linux). */
function peakRss(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

function post(url: string, body: Buffer): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/traces',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('the bridge process within its bounds', () => {
  let opper: LocalOpper;
  let bridge: BridgeProcess | undefined;
  beforeAll(async () => {
    opper = await startLocalOpper();
  });
  afterAll(async () => {
    bridge?.child.kill('SIGKILL');
    await opper.close();
  });

  it('takes one request of 160,000 tiny spans in parts, answering /healthz throughout', async () => {
    bridge = await spawnBridge(opper);
    const body = requestOf(160_000, 0);
    expect(body.length).toBeLessThan(8 * 1024 * 1024);
    let answered = false;
    const big = post(bridge.url, body).finally(() => (answered = true));
    const health: number[] = [];
    while (!answered) health.push((await fetch(`${bridge.url}/healthz`)).status);
    expect(await big).toBe(503); // not all in Opper by the deadline: "send again", and a retry goes on from there
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((status) => status === 200)).toBe(true);
    expect(peakRss(bridge.child.pid!)).toBeLessThanOrEqual(MAX_PENDING_BYTES + FIXED_OVERHEAD);
    bridge.child.kill('SIGKILL');
  }, 120_000);

  it('refuses most of 64 concurrent 8 MiB bodies unread, and stays within its bound', async () => {
    bridge = await spawnBridge(opper);
    const body = requestOf(1000, 8300);
    const statuses = await Promise.all(Array.from({ length: 64 }, () => post(bridge!.url, body)));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(32);
    expect(statuses.every((status) => [200, 429, 503].includes(status))).toBe(true);
    expect(peakRss(bridge.child.pid!)).toBeLessThanOrEqual(MAX_PENDING_BYTES + FIXED_OVERHEAD);
    bridge.child.kill('SIGKILL');
  }, 120_000);
});
