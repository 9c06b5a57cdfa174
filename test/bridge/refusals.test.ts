// Test 5 of issue 12, and the rest of the OTLP/HTTP and OTLP/gRPC contract: what is refused is
// refused with the status the spec gives, in the request's encoding, and never reaches Opper.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Metadata } from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { gzipSync } from 'node:zlib';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { CLIENT_KINDS, otlpExporter, rawTraceClient, RPC, sdkSpans, startBridge } from './helpers.js';

const TOKEN = 'inbound-secret';
const AUTH = { authorization: `Bearer ${TOKEN}` };

function exportWith(exporter: ReturnType<typeof otlpExporter>, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('what the bridge refuses', () => {
  let opper: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  let spans: ReadableSpan[];
  let protoBody: Uint8Array;
  beforeAll(async () => {
    opper = await startLocalOpper();
    bridge = await startBridge(opper, { token: TOKEN, maxRequestBytes: 64 * 1024 });
  });
  beforeEach(async () => {
    opper.reset();
    // Spans of their own in each test: the bridge remembers spans it delivered (and would not send them again).
    spans = await sdkSpans(1);
    protoBody = ProtobufTraceSerializer.serializeRequest(spans)!;
  });
  afterAll(async () => {
    await bridge.close();
    await opper.close();
  });

  const post = (body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(`${bridge.url}/v1/traces`, { method: 'POST', body, headers: { ...AUTH, ...headers } });

  it.each(CLIENT_KINDS)('answers a wrong or missing token with 401 / UNAUTHENTICATED, and sends nothing on (%s)', async (kind) => {
    for (const token of ['wrong', undefined]) {
      const result = await exportWith(otlpExporter(kind, bridge, token === undefined ? {} : { token }), spans);
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(String(result.error)).toMatch(kind === 'grpc' ? /UNAUTHENTICATED|16/ : /401|Unauthorized/i);
    }
    expect(opper.requests).toHaveLength(0);
  });

  it('answers 400 to a body that does not decode, in the request encoding', async () => {
    const proto = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(proto.status).toBe(400);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(RPC.lookupType('Status').decode(new Uint8Array(await proto.arrayBuffer()))).toMatchObject({
      code: 3,
      message: expect.stringContaining('not an OTLP'),
    });
    const json = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ code: 3 });
    const gzip = await post(Buffer.from('not gzip'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(gzip.status).toBe(400);
    expect(opper.requests).toHaveLength(0);
  });

  it('answers 415 to other content types and encodings', async () => {
    expect((await post('hello', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(protoBody, { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' })).status).toBe(415);
    expect(opper.requests).toHaveLength(0);
  });

  it('answers 413 past the body limit, also when it only shows once decompressed', async () => {
    const big = JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(100 * 1024) });
    expect((await post(big, { 'content-type': 'application/json' })).status).toBe(413);
    expect((await post(gzipSync(big), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(413);
    expect(opper.requests).toHaveLength(0);
  });

  it('answers 404 and 405 elsewhere, and serves /healthz and /readyz', async () => {
    expect((await fetch(`${bridge.url}/v1/metrics`, { method: 'POST', headers: AUTH })).status).toBe(404);
    expect((await fetch(`${bridge.url}/v1/traces`, { headers: AUTH })).status).toBe(405);
    expect(await (await fetch(`${bridge.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${bridge.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('takes gzip protobuf and JSON, and answers 200 with an ExportTraceServiceResponse in the same encoding', async () => {
    const proto = await post(gzipSync(protoBody), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await proto.arrayBuffer()))).toEqual({});
    const json = await post(JsonTraceSerializer.serializeRequest(spans)!, { 'content-type': 'application/json; charset=utf-8' });
    expect([json.status, json.headers.get('content-type'), await json.json()]).toEqual([200, 'application/json', {}]);
    expect(opper.spans.size).toBe(spans.length);
  });

  it('reports spans Opper refused for good in partial_success, and answers 200', async () => {
    opper.inject({ status: 422, match: { method: 'POST' }, times: 1 });
    const json = await post(JsonTraceSerializer.serializeRequest(spans)!, { 'content-type': 'application/json' });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('HTTP 422') } });
    const proto = await post(protoBody, { 'content-type': 'application/x-protobuf' });
    expect(ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await proto.arrayBuffer()))).toEqual({});
  });

  it('answers gRPC garbage with INVALID_ARGUMENT and no token with UNAUTHENTICATED', async () => {
    const client = rawTraceClient(bridge.grpcUrl!);
    const call = (body: Uint8Array, metadata: Metadata) => client.export(body, metadata);
    const withToken = new Metadata();
    withToken.set('authorization', `Bearer ${TOKEN}`);
    expect((await call(Buffer.from([0x0a, 0xff, 0xff]), withToken))?.code).toBe(3);
    expect((await call(protoBody, new Metadata()))?.code).toBe(16);
    expect(await call(protoBody, withToken)).toBeUndefined();
    client.close();
    expect(opper.spans.size).toBe(spans.length);
  });

  it('logs each kind of refusal once, never the API key', () => {
    const causes = bridge.logs.lines.filter((line) => line.msg.startsWith('request refused')).map((line) => line.cause);
    expect(new Set(causes).size).toBe(causes.length);
    expect(causes).toEqual(expect.arrayContaining(['unauthorized', 'bad-body', 'content-type', 'too-large']));
    expect(JSON.stringify(bridge.logs.lines)).not.toContain(opper.apiKey);
    expect(bridge.getStats().refused).toMatchObject({ unauthorized: expect.any(Number), 'bad-body': 4, 'too-large': 2 });
  });
});
