// Issue 22: a resource or scope attribute nested thousands deep costs the spans it belongs to
// (partial_success), never the whole request (500 / INTERNAL) nor the bridge's stack.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Metadata } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { OTLP_TRACE_SCHEMA } from '../../src/bridge/otlp-schema.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { rawTraceClient, startBridge } from './helpers.js';

const DEPTH = 5000;
const TRACE_ID = '5b8efff798038103d269b633813fc60c';

// Built as text and bytes without recursion: a JSON or protobuf library would overflow its own stack.
const DEEP_JSON = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(DEPTH)}{"stringValue":"bottom"}${'}]}}'.repeat(DEPTH)}`;

const span = (n: number) => ({
  traceId: TRACE_ID,
  spanId: `eee19b7ec3c1b1${n.toString(16).padStart(2, '0')}`,
  name: `span ${n}`,
  kind: 1,
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000001000000000',
});

/** Two resources of two spans each; the first one's resource (or scope) carries the deep value. */
function jsonRequest(where: 'resource' | 'scope'): string {
  const deep = [{ key: 'hostile', value: '__DEEP__' }];
  // Span ids of their own: the bridge remembers spans it delivered.
  const n = where === 'resource' ? 0 : 16;
  const request = {
    resourceSpans: [
      {
        resource: { attributes: where === 'resource' ? deep : [] },
        scopeSpans: [{ scope: { name: 'hostile', attributes: where === 'scope' ? deep : [] }, spans: [span(n + 1), span(n + 2)] }],
      },
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fine' } }] },
        scopeSpans: [{ scope: { name: 'ok' }, spans: [span(n + 3), span(n + 4)] }],
      },
    ],
  };
  return JSON.stringify(request).replace('"__DEEP__"', DEEP_JSON);
}

/** The same request (deep resource) as protobuf, written field by field. */
function protobufRequest(): Uint8Array {
  const root = protobuf.Root.fromJSON(OTLP_TRACE_SCHEMA);
  const Span = root.lookupType('opentelemetry.proto.trace.v1.Span');
  const spanBytes = (n: number) => {
    const { traceId, spanId, ...rest } = span(n);
    return Span.encode(Span.fromObject({ ...rest, traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from(spanId, 'hex') })).finish();
  };
  const LEN = (field: number) => (field << 3) | 2;
  const w = protobuf.Writer.create();
  for (const hostile of [true, false]) {
    w.uint32(LEN(1)).fork(); // ResourceSpans
    w.uint32(LEN(1)).fork(); // Resource
    if (hostile) {
      w.uint32(LEN(1)).fork().uint32(LEN(1)).string('hostile').uint32(LEN(2)).fork(); // KeyValue, its AnyValue
      for (let i = 0; i < DEPTH; i++) w.uint32(LEN(6)).fork().uint32(LEN(1)).fork().uint32(LEN(1)).string('k').uint32(LEN(2)).fork();
      w.uint32(LEN(1)).string('bottom');
      for (let i = 0; i < DEPTH; i++) w.ldelim().ldelim().ldelim();
      w.ldelim().ldelim();
    }
    w.ldelim();
    w.uint32(LEN(2)).fork(); // ScopeSpans
    w.uint32(LEN(1))
      .fork()
      .uint32(LEN(1))
      .string(hostile ? 'hostile' : 'ok')
      .ldelim();
    for (const n of hostile ? [1, 2] : [3, 4]) w.uint32(LEN(2)).bytes(spanBytes(n));
    w.ldelim();
    w.ldelim();
  }
  return w.finish();
}

describe('hostile resource and scope attributes', () => {
  let opper: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  beforeAll(async () => {
    opper = await startLocalOpper();
    bridge = await startBridge(opper);
  });
  beforeEach(() => opper.reset());
  afterAll(async () => {
    await bridge.close();
    await opper.close();
  });

  it.each(['resource', 'scope'] as const)(
    'rejects only the spans under a %s nested 5,000 deep (JSON), in partial_success',
    async (where) => {
      const response = await fetch(`${bridge.url}/v1/traces`, {
        method: 'POST',
        body: jsonRequest(where),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        partialSuccess: {
          rejectedSpans: '2',
          errorMessage: expect.stringContaining(`its ${where === 'resource' ? 'resource' : 'instrumentation scope'}`),
        },
      });
      expect(opper.spans.size).toBe(2);
    },
  );

  it('answers the same over protobuf and gRPC, and never logs an internal error', async () => {
    const body = protobufRequest();
    const response = await fetch(`${bridge.url}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(response.status === 200 || response.status === 400).toBe(true);
    const client = rawTraceClient(bridge.grpcUrl!);
    const error = await client.export(body, new Metadata());
    client.close();
    expect(error === undefined || error.code === 3).toBe(true);
    expect(bridge.logs.lines.filter((line) => line.level === 'error' || JSON.stringify(line).includes('INTERNAL'))).toEqual([]);
  });
});
