// A counting forward proxy and a TLS front for the local Opper, both on loopback, for the proxy tests.
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';

const FIXTURES = new URL('../fixtures/tls/', import.meta.url);
/** The test-only self-signed certificate for opper.test, localhost and 127.0.0.1 (its key is public). */
export const TEST_CA_FILE = new URL('test-only.cert.pem', FIXTURES);
const TEST_KEY_FILE = new URL('test-only.key.pem', FIXTURES);

/** Where the proxy finds `opper.test`: as a real proxy does, it resolves the names clients ask for. */
const HOSTS: Readonly<Record<string, string>> = { 'opper.test': '127.0.0.1' };
const resolve = (host: string) => HOSTS[host] ?? host.replace(/^\[(.*)\]$/, '$1');

export interface CountingProxy {
  /** `http://127.0.0.1:<port>`, without credentials. */
  readonly url: string;
  readonly port: number;
  /** CONNECT requests seen (refused ones included). */
  connects: number;
  /** Plain absolute-URI requests seen (refused ones included). */
  requests: number;
  /** The Proxy-Authorization headers seen, decoded from Basic. */
  readonly credentials: string[];
  close(): Promise<void>;
}

/**
 * A forward proxy as corporate networks run them: absolute-URI requests for http targets, CONNECT
 * tunnels for any. With `auth` (`user:password`), a request without those credentials gets 407.
 */
export async function startCountingProxy(options: { auth?: string } = {}): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  const authorized = (req: IncomingMessage) => {
    const header = req.headers['proxy-authorization'];
    const given = header?.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString() : undefined;
    if (given !== undefined) proxy.credentials.push(given);
    return options.auth === undefined || given === options.auth;
  };
  const server = createServer((req, res) => {
    proxy.requests++;
    if (!authorized(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url!);
    const upstream = httpRequest(
      {
        host: resolve(target.hostname),
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    proxy.connects++;
    client.on('error', () => undefined);
    if (!authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [, host, port] = /^(.+):(\d+)$/.exec(req.url!)!;
    const upstream = connect(Number(port), resolve(host!), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    connects: 0,
    requests: 0,
    credentials: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

/** An HTTPS endpoint at `https://127.0.0.1:<port>` that passes every connection on to `targetPort`. */
export async function startTlsFront(targetPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ key: readFileSync(TEST_KEY_FILE), cert: readFileSync(TEST_CA_FILE) }, (clear) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [clear, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    clear.pipe(upstream).pipe(clear);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
