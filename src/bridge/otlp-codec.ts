/**
 * OTLP's messages in both encodings: protobuf through protobufjs and the OTLP trace schema
 * (`otlp-schema.ts`), JSON through the OTLP JSON mapping. Also google.rpc's
 * Status and RetryInfo, the error body of OTLP/HTTP and the retry hint of OTLP/gRPC.
 */
import protobuf from 'protobufjs';
import { OTLP_TRACE_SCHEMA } from './otlp-schema.js';
import { protobufParts, type RequestParts } from './request-parts.js';

/** What an Export call returns: nothing on success, or the spans refused for good and why. */
export interface ExportResponse {
  rejectedSpans: number;
  errorMessage: string;
}

export interface OtlpCodec {
  /** Throws on bytes that are not an ExportTraceServiceRequest. */
  decodeRequest(bytes: Uint8Array): unknown;
  /** The request to be decoded in parts; throws when its structure is not an ExportTraceServiceRequest's. */
  decodeParts(bytes: Uint8Array): RequestParts;
  encodeResponse(response: ExportResponse): Uint8Array;
  /** A google.rpc.Status, with a RetryInfo detail when `retryAfterSeconds` is given. */
  encodeStatus(code: number, message: string, retryAfterSeconds?: number): Uint8Array;
}

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

// google/rpc/status.proto and error_details.proto, only the fields the bridge writes.
const RPC_TYPES = {
  nested: {
    Status: {
      fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } },
    },
    Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    RetryInfo: { fields: { retryDelay: { type: 'Duration', id: 1 } } },
    Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
  },
};

let loading: Promise<OtlpCodec> | undefined;

/** Builds the message types once, on the bridge's first use. */
export function loadCodec(): Promise<OtlpCodec> {
  loading ??= load();
  return loading;
}

async function load(): Promise<OtlpCodec> {
  const root = protobuf.Root.fromJSON(OTLP_TRACE_SCHEMA);
  const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const Response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
  const rpc = protobuf.Root.fromJSON(RPC_TYPES);
  const Status = rpc.lookupType('Status');
  const RetryInfo = rpc.lookupType('RetryInfo');
  const partTypes = {
    Resource: root.lookupType('opentelemetry.proto.resource.v1.Resource'),
    Scope: root.lookupType('opentelemetry.proto.common.v1.InstrumentationScope'),
    Span: root.lookupType('opentelemetry.proto.trace.v1.Span'),
  };
  return {
    decodeRequest: (bytes) => Request.decode(asBuffer(bytes)),
    decodeParts: (bytes) => protobufParts(asBuffer(bytes), partTypes),
    encodeResponse: ({ rejectedSpans, errorMessage }) =>
      Response.encode(rejectedSpans === 0 && errorMessage === '' ? {} : { partialSuccess: { rejectedSpans, errorMessage } }).finish(),
    encodeStatus: (code, message, retryAfterSeconds) => {
      const details =
        retryAfterSeconds === undefined
          ? []
          : [{ typeUrl: RETRY_INFO_TYPE_URL, value: RetryInfo.encode({ retryDelay: { seconds: retryAfterSeconds } }).finish() }];
      return Status.encode({ code, message, details }).finish();
    },
  };
}

/** protobufjs reads strings with Buffer's native UTF-8 decoder only from a Buffer. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The OTLP JSON mapping of a request: a JSON object (field names lowerCamelCase, ids hex). */
export function decodeJsonRequest(text: string): unknown {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body is not a JSON object');
  return parsed;
}

/** The JSON mapping of a response: int64 as a string, an empty object on full success. */
export function encodeJsonResponse({ rejectedSpans, errorMessage }: ExportResponse): string {
  return rejectedSpans === 0 && errorMessage === ''
    ? '{}'
    : JSON.stringify({ partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } });
}

/** A google.rpc.Status in the JSON mapping. */
export function encodeJsonStatus(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
