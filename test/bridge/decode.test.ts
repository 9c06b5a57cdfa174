import { beforeAll, describe, expect, it } from '@jest/globals';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { decodeJsonRequest, loadCodec, type OtlpCodec } from '../../src/bridge/otlp-codec.js';
import { hrTime, readSpans } from '../../src/bridge/otlp-spans.js';
import { translateSpan } from '../../src/translate/index.js';
import { sdkSpans } from './helpers.js';

const MAX = { maxBodyBytes: 512 * 1024 };

describe('OTLP, as OpenTelemetry JS serialises it, read back into spans', () => {
  let codec: OtlpCodec;
  let spans: ReadableSpan[];
  beforeAll(async () => {
    codec = await loadCodec();
    // Attribute limits that make dropped counts.
    spans = await sdkSpans(2, { attributeCountLimit: 8 });
    expect(spans).toHaveLength(12);
  });

  it.each(['protobuf', 'json'] as const)('gives byte-identical create and PATCH bodies to the in-process translation (%s)', (encoding) => {
    const bytes = (encoding === 'protobuf' ? ProtobufTraceSerializer : JsonTraceSerializer).serializeRequest(spans)!;
    const request = encoding === 'protobuf' ? codec.decodeRequest(bytes) : decodeJsonRequest(Buffer.from(bytes).toString('utf8'));
    const { spans: read, unreadable } = readSpans(request);
    expect(unreadable).toEqual([]);
    const viaOtlp = read.map((span) => translateSpan(span, MAX));
    const inProcess = spans.map((span) => translateSpan(span, MAX));
    // OTLP groups spans by resource and scope; here there is one of each, so the order is kept.
    expect(viaOtlp).toEqual(inProcess);
    expect(inProcess.some((t) => t.create.includes('"otel.dropped_attributes_count":2'))).toBe(true);
  });

  it('carries trace state, remote parents and link contexts', () => {
    const request = codec.decodeRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const { spans: read } = readSpans(request);
    const root = read.find((span) => span.name === 'GET /items/1')!;
    expect(root.spanContext().traceState?.serialize()).toBe('vendor=a1,other=b2');
    expect(root.parentSpanContext).toMatchObject({ spanId: `${'bb'.repeat(7)}01`, isRemote: true });
    const retrieval = read.find((span) => span.name === 'retrieve docs' && span.spanContext().traceId === root.spanContext().traceId)!;
    expect(retrieval.links[0]!.context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(retrieval.links[0]!.attributes).toEqual({ 'link.reason': 'follows' });
  });

  it('reads unix nanoseconds into HrTime exactly, from Long, string and number', () => {
    expect(hrTime('1710928800123456789')).toEqual([1710928800, 123456789]);
    expect(hrTime({ low: -950530795, high: 398356653, unsigned: true })).toEqual([1710928800, 123456789]);
    expect(hrTime('18446744073709551615')).toEqual([18446744073, 709551615]);
    expect(hrTime(1_000_000_001)).toEqual([1, 1]);
    expect(hrTime(undefined)).toEqual([0, 0]);
  });

  it('reads every AnyValue kind from JSON the way an SDK attribute holds it', () => {
    const value = (v: unknown) => ({ key: 'k', value: v });
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [value({ stringValue: 'svc' })] },
          scopeSpans: [
            {
              scope: { name: 's', version: '1', attributes: [value({ boolValue: true })] },
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  name: 'n',
                  startTimeUnixNano: '1710928800123456789',
                  endTimeUnixNano: '1710928801000000999',
                  attributes: [
                    { key: 'str', value: { stringValue: 'x' } },
                    { key: 'int', value: { intValue: '42' } },
                    { key: 'huge', value: { intValue: '9223372036854775807' } },
                    { key: 'dbl', value: { doubleValue: 1.5 } },
                    { key: 'nan', value: { doubleValue: 'NaN' } },
                    { key: 'bytes', value: { bytesValue: 'AQID' } },
                    { key: 'arr', value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: 'two' }, {}] } } },
                    { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: false } }] } } },
                    { key: 'empty', value: {} },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const [span] = readSpans(request).spans;
    expect(span!.attributes).toEqual({
      str: 'x',
      int: 42,
      huge: '9223372036854775807',
      dbl: 1.5,
      nan: Number.NaN,
      bytes: 'AQID',
      arr: [1, 'two', null],
      kv: { a: false },
    });
    const { create, update } = translateSpan(span!, MAX);
    expect(JSON.parse(create)).toMatchObject({
      start_time: '2024-03-20T10:00:00.123456Z',
      meta: { nan: null, kv: { a: false }, 'otel.scope.attributes': { k: true }, resource: { k: 'svc' } },
    });
    expect(JSON.parse(update)).toEqual({ end_time: '2024-03-20T10:00:01.000000Z' });
  });

  it('sets aside spans with missing or all-zero ids, and reads the rest', () => {
    const span = (traceId: string, spanId: string) => ({ traceId, spanId, name: 'n' });
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span('0'.repeat(32), 'b7ad6b7169203331'),
                span('0af7651916cd43dd8448eb211c80319c', ''),
                span('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'),
              ],
            },
          ],
        },
      ],
    };
    const { spans: read, unreadable } = readSpans(request);
    expect(read).toHaveLength(1);
    expect(unreadable.map((u) => u.detail)).toEqual([expect.stringContaining('traceId'), expect.stringContaining('spanId')]);
  });

  it('refuses bytes that are not a request', () => {
    expect(() => codec.decodeRequest(Buffer.from('garbage that is not protobuf at all \xff\xff\xff'))).toThrow();
    expect(() => decodeJsonRequest('[1,2]')).toThrow();
  });
});
