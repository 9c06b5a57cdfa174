/**
 * OTLP/HTTP (`POST /v1/traces`, protobuf or JSON, optionally gzip) as the OTLP specification
 * defines it, plus `GET /healthz` and `GET /readyz`. Every answer is in the request's encoding.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';
import { BytesTicket } from './budget.js';
import { GrpcCode, refusalOf, type BridgeContext, type Encoding, type Refusal } from './door.js';
import { BUSY_RETRY_SECONDS } from './forwarder.js';
import { decodeJsonRequest, encodeJsonResponse, encodeJsonStatus } from './otlp-codec.js';
import type { ConnectionLimits } from './options.js';
import { objectParts, type RequestParts } from './request-parts.js';

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
    return replyHealth(
      res,
      problem === undefined ? 200 : 503,
      problem === undefined ? { status: 'ready' } : { status: 'not ready', reason: problem },
    );
  }
  if (path !== TRACES_PATH)
    return refuse(
      res,
      'json',
      { status: 404, code: GrpcCode.NOT_FOUND, cause: 'not-found', message: `no route ${path} (OTLP traces go to POST ${TRACES_PATH})` },
      bridge,
      req,
    );
  const encoding = encodingOf(req.headers['content-type']);
  const replyEncoding: Encoding = encoding ?? 'json';
  bridge.received();
  if (req.method !== 'POST')
    return refuse(
      res,
      replyEncoding,
      { status: 405, code: GrpcCode.UNIMPLEMENTED, cause: 'method', message: `${req.method} is not allowed on ${TRACES_PATH}` },
      bridge,
      req,
    );
  const unauthorized = bridge.checkToken(req.headers.authorization);
  if (unauthorized) return refuse(res, replyEncoding, unauthorized, bridge, req);
  if (encoding === undefined) {
    const message = `Content-Type must be application/x-protobuf or application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`;
    return refuse(res, 'json', { status: 415, code: GrpcCode.INVALID_ARGUMENT, cause: 'content-type', message }, bridge, req);
  }
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
    return refuse(
      res,
      encoding,
      {
        status: 415,
        code: GrpcCode.INVALID_ARGUMENT,
        cause: 'content-encoding',
        message: `Content-Encoding ${contentEncoding} is not supported (use gzip or none)`,
      },
      bridge,
      req,
    );
  }
  const limit = bridge.maxRequestBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return refuse(res, encoding, tooLarge(limit), bridge, req);
  // Room for the body is taken before it is read: what would pass the bound is refused unread.
  const admitted = bridge.admit(Number.isFinite(declared) ? declared : 0);
  if (!(admitted instanceof BytesTicket)) return refuse(res, encoding, admitted, bridge, req);
  let received: RequestParts | Refusal;
  try {
    received = await receive(bridge, req, encoding, contentEncoding === 'gzip', admitted);
  } catch (error) {
    admitted.release();
    throw error;
  }
  if ('status' in received) {
    admitted.release();
    return refuse(res, encoding, received, bridge, req);
  }
  const answer = await bridge.forward(received, admitted);
  if (answer.kind === 'ok') {
    const response = { rejectedSpans: answer.rejected, errorMessage: answer.message };
    return reply(
      bridge,
      res,
      200,
      encoding,
      encoding === 'protobuf' ? bridge.codec.encodeResponse(response) : encodeJsonResponse(response),
    );
  }
  return refuse(res, encoding, refusalOf(answer), bridge, req);
}

/** The request's body read (and decompressed) within the limit and the room `ticket` can take, then indexed for decoding. */
async function receive(
  bridge: BridgeContext,
  req: IncomingMessage,
  encoding: Encoding,
  gzipped: boolean,
  ticket: BytesTicket,
): Promise<RequestParts | Refusal> {
  const limit = bridge.maxRequestBytes;
  const raw = await readBody(req, limit, ticket);
  if (!Buffer.isBuffer(raw)) return raw === 'too-large' ? tooLarge(limit) : outgrown();
  let body = raw;
  if (gzipped) {
    const unzipped = await gunzipWithin(raw, limit, ticket);
    if (typeof unzipped === 'object' && 'failed' in unzipped) return badBody(`the gzip body does not decompress: ${unzipped.failed}`);
    if (!Buffer.isBuffer(unzipped)) return unzipped === 'too-large' ? tooLarge(limit) : outgrown();
    body = unzipped;
    ticket.release(raw.byteLength);
  }
  try {
    return encoding === 'protobuf' ? bridge.codec.decodeParts(body) : objectParts(decodeJsonRequest(body.toString('utf8')));
  } catch (error) {
    return badBody(
      `the body is not an OTLP ExportTraceServiceRequest (${encoding}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** A body that streamed in (or decompressed) past the room the bridge had for it. */
function outgrown(): Refusal {
  const message = "the body outgrew the room left under the bridge's bound on bytes in flight (maxPendingBytes)";
  return { status: 429, code: GrpcCode.RESOURCE_EXHAUSTED, cause: 'busy', message, retryAfterSeconds: BUSY_RETRY_SECONDS };
}

function tooLarge(limit: number): Refusal {
  return {
    status: 413,
    code: GrpcCode.INVALID_ARGUMENT,
    cause: 'too-large',
    message: `the body is larger than ${limit} bytes (decompressed)`,
  };
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

/**
 * The body, read while `ticket` can take room for it (it holds the declared length already); or
 * why not, once it passes `limit` bytes or the room runs out (then the rest is not read).
 */
function readBody(req: IncomingMessage, limit: number, ticket: BytesTicket): Promise<Buffer | 'too-large' | 'outgrown'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (why: 'too-large' | 'outgrown') => {
      req.removeAllListeners('data');
      req.pause();
      resolve(why);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) return stop('too-large');
      if (size > ticket.bytes && !ticket.grow(size - ticket.bytes)) return stop('outgrown');
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** `raw` gunzipped, its output taken from `ticket` as it comes; or why not. */
function gunzipWithin(raw: Buffer, limit: number, ticket: BytesTicket): Promise<Buffer | 'too-large' | 'outgrown' | { failed: string }> {
  return new Promise((resolve) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (why: 'too-large' | 'outgrown') => {
      gunzip.destroy();
      resolve(why);
    };
    gunzip.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) return stop('too-large');
      if (!ticket.grow(chunk.byteLength)) return stop('outgrown');
      chunks.push(chunk);
    });
    gunzip.once('end', () => resolve(Buffer.concat(chunks, size)));
    gunzip.once('error', (error) => resolve({ failed: String(error) }));
    gunzip.end(raw);
  });
}

function refuse(res: ServerResponse, encoding: Encoding, refusal: Refusal, bridge: BridgeContext, req: IncomingMessage): void {
  bridge.refused(refusal, req.socket.remoteAddress);
  const headers: Record<string, string> = {};
  if (refusal.retryAfterSeconds !== undefined) headers['retry-after'] = String(refusal.retryAfterSeconds);
  // A body refused before any of it was read, of a declared size within maxRequestBytes, is read
  // to its end and dropped (never held, so outside the bound), and the connection kept: closing
  // with the client's bytes unread resets it, and a client still sending (a busy machine's) may
  // take the reset before the answer, losing the status and its Retry-After. Any other body left
  // unread (too large, undeclared, partly read) cannot share the connection with a next request.
  const drain = !req.complete && req.readableFlowing === null && declaredWithin(req, bridge.maxRequestBytes);
  if (!req.complete && !drain) headers.connection = 'close';
  const body =
    encoding === 'protobuf' ? bridge.codec.encodeStatus(refusal.code, refusal.message) : encodeJsonStatus(refusal.code, refusal.message);
  reply(bridge, res, refusal.status, encoding, body, headers);
  if (drain) req.resume();
}

function declaredWithin(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return req.headers['content-length'] !== undefined && Number.isInteger(declared) && declared >= 0 && declared <= limit;
}

function reply(
  bridge: BridgeContext,
  res: ServerResponse,
  status: number,
  encoding: Encoding,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): void {
  // While the bridge drains, no connection is kept for a next request.
  if (bridge.draining) headers.connection = 'close';
  res.writeHead(status, { 'content-type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json', ...headers });
  res.end(body);
}

function replyHealth(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
