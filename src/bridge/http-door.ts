/**
 * OTLP/HTTP (`POST /v1/traces`, protobuf or JSON, optionally gzip) as the OTLP specification
 * defines it, plus `GET /healthz` and `GET /readyz`. Every answer is in the request's encoding.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GrpcCode, refusalOf, type BridgeContext, type Encoding, type Refusal } from './door.js';
import { decodeJsonRequest, encodeJsonResponse, encodeJsonStatus } from './otlp-codec.js';
import type { ConnectionLimits } from './options.js';

const gunzipAsync = promisify(gunzip);
const TRACES_PATH = '/v1/traces';
const CHECK_INTERVAL_MS = 1000;

export function createHttpDoor(bridge: BridgeContext, limits: ConnectionLimits): Server {
  // Timeouts are checked every second (Node's default, 30 s, would let a slow client hold on that much longer).
  const server = createServer({ connectionsCheckingInterval: CHECK_INTERVAL_MS }, (req, res) => {
    handle(bridge, req, res).catch((error: unknown) => {
      bridge.logger.log('error', 'unexpected error answering a request', { error: String(error) });
      if (!res.headersSent) reply(bridge, res, 500, 'json', encodeJsonStatus(GrpcCode.INTERNAL, 'internal error'));
    });
  });
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMillis;
  server.requestTimeout = limits.requestTimeoutMillis;
  server.keepAliveTimeout = limits.keepAliveTimeoutMillis;
  return server;
}

async function handle(bridge: BridgeContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/healthz') return replyHealth(res, 200, { status: 'ok' });
  if (req.method === 'GET' && path === '/readyz') {
    const problem = await bridge.readiness();
    return replyHealth(res, problem === undefined ? 200 : 503, problem === undefined ? { status: 'ready' } : { status: 'not ready', reason: problem });
  }
  if (path !== TRACES_PATH) return refuse(res, 'json', { status: 404, code: GrpcCode.NOT_FOUND, cause: 'not-found', message: `no route ${path} (OTLP traces go to POST ${TRACES_PATH})` }, bridge, req);
  const encoding = encodingOf(req.headers['content-type']);
  const replyEncoding: Encoding = encoding ?? 'json';
  bridge.received();
  if (req.method !== 'POST') return refuse(res, replyEncoding, { status: 405, code: GrpcCode.UNIMPLEMENTED, cause: 'method', message: `${req.method} is not allowed on ${TRACES_PATH}` }, bridge, req);
  const unauthorized = bridge.checkToken(req.headers.authorization);
  if (unauthorized) return refuse(res, replyEncoding, unauthorized, bridge, req);
  if (encoding === undefined) {
    const message = `Content-Type must be application/x-protobuf or application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`;
    return refuse(res, 'json', { status: 415, code: GrpcCode.INVALID_ARGUMENT, cause: 'content-type', message }, bridge, req);
  }
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
    return refuse(res, encoding, { status: 415, code: GrpcCode.INVALID_ARGUMENT, cause: 'content-encoding', message: `Content-Encoding ${contentEncoding} is not supported (use gzip or none)` }, bridge, req);
  }
  const early = bridge.refuseEarly();
  if (early) return refuse(res, encoding, early, bridge, req);

  const limit = bridge.maxRequestBytes;
  const raw = await readBody(req, limit);
  if (raw === undefined) return refuse(res, encoding, tooLarge(limit), bridge, req);
  let body = raw;
  if (contentEncoding === 'gzip') {
    try {
      body = await gunzipAsync(raw, { maxOutputLength: limit });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return refuse(res, encoding, tooLarge(limit), bridge, req);
      return refuse(res, encoding, badBody(`the gzip body does not decompress: ${String(error)}`), bridge, req);
    }
  }
  let request: unknown;
  try {
    request = encoding === 'protobuf' ? bridge.codec.decodeRequest(body) : decodeJsonRequest(body.toString('utf8'));
  } catch (error) {
    return refuse(res, encoding, badBody(`the body is not an OTLP ExportTraceServiceRequest (${encoding}): ${error instanceof Error ? error.message : String(error)}`), bridge, req);
  }
  const answer = await bridge.forward(request, body.byteLength);
  if (answer.kind === 'ok') {
    const response = { rejectedSpans: answer.rejected, errorMessage: answer.message };
    return reply(bridge, res, 200, encoding, encoding === 'protobuf' ? bridge.codec.encodeResponse(response) : encodeJsonResponse(response));
  }
  return refuse(res, encoding, refusalOf(answer), bridge, req);
}

function tooLarge(limit: number): Refusal {
  return { status: 413, code: GrpcCode.INVALID_ARGUMENT, cause: 'too-large', message: `the body is larger than ${limit} bytes (decompressed)` };
}

function badBody(message: string): Refusal {
  return { status: 400, code: GrpcCode.INVALID_ARGUMENT, cause: 'bad-body', message };
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** The body, or undefined once it passes `limit` bytes (then the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        req.removeAllListeners('data');
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function refuse(res: ServerResponse, encoding: Encoding, refusal: Refusal, bridge: BridgeContext, req: IncomingMessage): void {
  bridge.refused(refusal, req.socket.remoteAddress);
  const headers: Record<string, string> = {};
  if (refusal.retryAfterSeconds !== undefined) headers['retry-after'] = String(refusal.retryAfterSeconds);
  // A body left unread (too large, refused early) cannot share the connection with a next request.
  if (!req.complete) headers.connection = 'close';
  const body = encoding === 'protobuf' ? bridge.codec.encodeStatus(refusal.code, refusal.message) : encodeJsonStatus(refusal.code, refusal.message);
  reply(bridge, res, refusal.status, encoding, body, headers);
}

function reply(bridge: BridgeContext, res: ServerResponse, status: number, encoding: Encoding, body: Uint8Array | string, headers: Record<string, string> = {}): void {
  // While the bridge drains, no connection is kept for a next request.
  if (bridge.draining) headers.connection = 'close';
  res.writeHead(status, { 'content-type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json', ...headers });
  res.end(body);
}

function replyHealth(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
