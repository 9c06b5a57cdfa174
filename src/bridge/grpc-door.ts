/**
 * OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export` (gzip too), answered
 * with the status codes the OTLP specification gives: RESOURCE_EXHAUSTED and UNAVAILABLE carry a
 * google.rpc.RetryInfo so that clients know the data is worth sending again, and when.
 */
import type * as Grpc from '@grpc/grpc-js';
import { BytesTicket } from './budget.js';
import { GrpcCode, refusalOf, type BridgeContext, type Refusal } from './door.js';
import type { RequestParts } from './request-parts.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** The answer must reach the client before its own deadline, not just leave before it. */
const CLIENT_DEADLINE_MARGIN_MS = 250;

type Bytes = Buffer;

/** A gRPC server with the trace service; grpc-js is loaded here, only when gRPC is enabled. */
export async function createGrpcDoor(bridge: BridgeContext): Promise<{ server: Grpc.Server; grpc: typeof Grpc }> {
  const grpc = await import('@grpc/grpc-js');
  const server = new grpc.Server({ 'grpc.max_receive_message_length': bridge.maxRequestBytes });
  const identity = (bytes: Bytes): Bytes => bytes;
  const service: Grpc.ServiceDefinition = {
    Export: {
      path: EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      // The bridge decodes itself, with the same codec as OTLP/HTTP.
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
  const exportCall: Grpc.handleUnaryCall<Bytes, Bytes> = (call, callback) => {
    const fail = (refusal: Refusal) => {
      bridge.refused(refusal, call.getPeer());
      callback(toServiceError(grpc, bridge, refusal));
    };
    bridge.received();
    const authorization = call.metadata.get('authorization')[0];
    const unauthorized = bridge.checkToken(typeof authorization === 'string' ? authorization : undefined);
    if (unauthorized) return fail(unauthorized);
    // grpc-js has read the message (at most maxRequestBytes) by now: it is refused before it is decoded.
    const admitted = bridge.admit(call.request.byteLength);
    if (!(admitted instanceof BytesTicket)) return fail(admitted);
    let request: RequestParts;
    try {
      request = bridge.codec.decodeParts(call.request);
    } catch (error) {
      admitted.release();
      const message = `the message is not an OTLP ExportTraceServiceRequest: ${error instanceof Error ? error.message : String(error)}`;
      return fail({ status: 400, code: GrpcCode.INVALID_ARGUMENT, cause: 'bad-body', message });
    }
    bridge.forward(request, admitted, deadlineOf(call.getDeadline())).then(
      (answer) => {
        if (answer.kind === 'ok') {
          callback(null, Buffer.from(bridge.codec.encodeResponse({ rejectedSpans: answer.rejected, errorMessage: answer.message })));
        } else {
          fail(refusalOf(answer));
        }
      },
      (error: unknown) => fail({ status: 500, code: GrpcCode.INTERNAL, cause: 'internal', message: String(error) }),
    );
  };
  server.addService(service, { Export: exportCall as Grpc.UntypedHandleCall });
  return { server, grpc };
}

function deadlineOf(deadline: Grpc.Deadline): number {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? at - CLIENT_DEADLINE_MARGIN_MS : Infinity;
}

/** The error with the status in `grpc-status-details-bin`, where RetryInfo travels. */
function toServiceError(grpc: typeof Grpc, bridge: BridgeContext, refusal: Refusal): Partial<Grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(bridge.codec.encodeStatus(refusal.code, refusal.message, refusal.retryAfterSeconds)));
  return { code: refusal.code, details: refusal.message, metadata };
}

/** Binds to `host:port` (0 = any free port) and resolves with the port. */
export function bindGrpc(grpc: typeof Grpc, server: Grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}
