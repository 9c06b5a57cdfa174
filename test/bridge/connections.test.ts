// Issue 22: slow or idle clients cannot hold the bridge's connections: headers and bodies must
// arrive in time, idle keep-alive connections are closed, and connections are capped. Raw sockets
// play the slow clients, byte by byte.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { resolveBridgeConfig } from '../../src/bridge/options.js';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { startBridge } from './helpers.js';

/** A connection to `url`, with everything the server sent and whether it closed. */
async function open(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void>; isClosed: () => boolean }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  let done = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve((done = true) && undefined)));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, received: () => text, closed, isClosed: () => done };
}

/** Writes `text` one byte every 50 ms until it is all sent or the server closes; how many bytes went out. */
async function trickle(connection: Awaited<ReturnType<typeof open>>, text: string): Promise<number> {
  for (let i = 0; i < text.length; i++) {
    if (connection.isClosed()) return i;
    connection.socket.write(text[i]!);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return text.length;
}

describe('connections to the bridge', () => {
  let opper: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  beforeAll(async () => {
    opper = await startLocalOpper();
    bridge = await startBridge(opper, {
      grpcPort: false,
      headersTimeoutMillis: 1000,
      requestTimeoutMillis: 2000,
      keepAliveTimeoutMillis: 2000,
      maxConnections: 6,
    });
  });
  afterAll(async () => {
    await bridge.close();
    await opper.close();
  });

  it('answers 408 and closes a connection whose headers trickle in', async () => {
    const connection = await open(bridge.url);
    // 400 bytes at 20 a second: 20 s of headers.
    const headers = `POST /v1/traces HTTP/1.1\r\nHost: bridge\r\nX-Slow: ${'a'.repeat(350)}\r\n\r\n`;
    const sent = await trickle(connection, headers);
    await connection.closed;
    expect(sent).toBeLessThan(headers.length);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers 408 and closes a connection whose body trickles in', async () => {
    const connection = await open(bridge.url);
    connection.socket.write('POST /v1/traces HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n');
    const body = `{"resourceSpans":[],"x":"${'a'.repeat(372)}"}`;
    const sent = await trickle(connection, body);
    await connection.closed;
    expect(sent).toBeLessThan(body.length);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMillis, and says so', async () => {
    const connection = await open(bridge.url);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: bridge\r\n\r\n');
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(connection.received()).toMatch(/\r\nKeep-Alive: timeout=2\r\n/i);
  });

  it('closes connections past maxConnections at once, and serves the others', async () => {
    const connections = await Promise.all(Array.from({ length: 10 }, () => open(bridge.url)));
    // The server closes the excess as it accepts them; give it time to accept all ten.
    for (let waited = 0; waited < 5000 && connections.filter((connection) => connection.isClosed()).length < 4; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = connections.filter((connection) => connection.isClosed());
    const kept = connections.filter((connection) => !connection.isClosed());
    expect([refused.length, kept.length]).toEqual([4, 6]);
    kept[0]!.socket.write('GET /healthz HTTP/1.1\r\nHost: bridge\r\nConnection: close\r\n\r\n');
    await kept[0]!.closed;
    expect(kept[0]!.received()).toMatch(/^HTTP\/1\.1 200/);
    for (const connection of kept) connection.socket.destroy();
  });

  it('takes the limits from the environment, and refuses nonsense', () => {
    const env = {
      OPPER_API_KEY: 'key',
      OPPER_BRIDGE_MAX_CONNECTIONS: '50',
      OPPER_BRIDGE_HEADERS_TIMEOUT_MS: '2000',
      OPPER_BRIDGE_REQUEST_TIMEOUT_MS: '9000',
      OPPER_BRIDGE_KEEP_ALIVE_TIMEOUT_MS: '700',
    };
    expect(resolveBridgeConfig({}, env)).toMatchObject({
      maxConnections: 50,
      headersTimeoutMillis: 2000,
      requestTimeoutMillis: 9000,
      keepAliveTimeoutMillis: 700,
    });
    expect(resolveBridgeConfig({ maxConnections: 7 }, env).maxConnections).toBe(7);
    expect(resolveBridgeConfig({}, { OPPER_API_KEY: 'key' })).toMatchObject({
      maxConnections: 1024,
      headersTimeoutMillis: 10_000,
      requestTimeoutMillis: 30_000,
      keepAliveTimeoutMillis: 65_000,
    });
    expect(() => resolveBridgeConfig({}, { ...env, OPPER_BRIDGE_MAX_CONNECTIONS: 'many' })).toThrow(/OPPER_BRIDGE_MAX_CONNECTIONS/);
    expect(() => resolveBridgeConfig({ headersTimeoutMillis: 5000, requestTimeoutMillis: 1000 }, env)).toThrow(RangeError);
  });
});
