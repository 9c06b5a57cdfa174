import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** A fully received body: `bytes` counts everything sent, `body` is absent when over the limit. */
export interface ReceivedBody {
  readonly bytes: number;
  readonly body: Buffer | undefined;
}

/** Receives a request body, buffering at most `limit` bytes and draining the rest; undefined if the client went away. */
export function receiveBody(req: IncomingMessage, limit: number): Promise<ReceivedBody | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooLarge = Number(req.headers['content-length']) > limit;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (tooLarge) return;
      if (bytes > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve({ bytes, body: tooLarge ? undefined : Buffer.concat(chunks, bytes) }));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

/** The path of a request target, without the query string. */
export function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** Opper's error body shape. */
export function errorBody(type: string, message: string, detail: unknown = null): { type: string; message: string; detail: unknown } {
  return { type, message, detail };
}

/** The error type name a status gets in its JSON body. */
export function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'ServerError' : status >= 400 ? 'ClientError' : 'Error');
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  413: 'PayloadTooLargeError',
  422: 'RequestValidationError',
  429: 'TooManyRequestsError',
  500: 'InternalServerError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
  504: 'GatewayTimeoutError',
};

/** Sends `payload` (JSON-encoded unless already a string); false when the socket is already gone. */
export function send(res: ServerResponse, status: number, payload: unknown, headers: OutgoingHttpHeaders = {}): boolean {
  if (res.destroyed || res.writableEnded) return false;
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
  return true;
}
