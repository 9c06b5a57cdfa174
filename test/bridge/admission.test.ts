// Issue 22: room for a request is taken before its body is read (a body that would not fit is
// refused unread, declared or streamed), and a lone request larger than maxPendingSpans is taken
// in parts, never all at once.
import { afterEach, describe, expect, it } from '@jest/globals';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { connect, type Socket } from 'node:net';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';
import { deliveryProblems, opperIds, sdkWith, startBridge } from './helpers.js';

/** A raw connection: what the server sent, and a promise of its first full response head. */
async function rawConnection(url: string): Promise<{ socket: Socket; answered: Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  let text = '';
  const answered = new Promise<string>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve(text);
    });
    socket.once('close', () => resolve(text));
  });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { socket, answered };
}

async function spans(count: number) {
  const client = sdkWith([]);
  const tracer = client.provider.getTracer('admission');
  for (let n = 0; n < count; n++) tracer.startSpan(`span ${n}`).end();
  await client.provider.forceFlush();
  const finished = client.recorded.getFinishedSpans();
  await client.shutdown();
  return finished;
}

describe('admission before reading', () => {
  let opper: LocalOpper;
  let bridge: Awaited<ReturnType<typeof startBridge>> | undefined;
  afterEach(async () => {
    await bridge?.close();
    await opper.close();
  });

  /** A bridge with 1 MiB of room in front of a slow Opper, one request in flight holding part of it. */
  async function partlyHeld(): Promise<{ url: string; held: Promise<Response> }> {
    opper = await startLocalOpper();
    opper.inject({ delayMs: 2000 });
    bridge = await startBridge(opper, { grpcPort: false, maxPendingBytes: 1024 * 1024 });
    const held = fetch(`${bridge.url}/v1/traces`, {
      method: 'POST',
      body: ProtobufTraceSerializer.serializeRequest(await spans(5))!,
      headers: { 'content-type': 'application/x-protobuf' },
    });
    await opper.waitForSpans(() => opper.requests.length > 0);
    return { url: bridge.url, held };
  }

  it('refuses with 429 a body whose declared size does not fit, before it is sent', async () => {
    const { url, held } = await partlyHeld();
    const { socket, answered } = await rawConnection(url);
    socket.write('POST /v1/traces HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/x-protobuf\r\nContent-Length: 400000\r\n\r\n');
    // Not a byte of the body is sent: the answer must come without it.
    expect(await answered).toMatch(/^HTTP\/1\.1 429[\s\S]*retry-after: 1/i);
    socket.destroy();
    expect([200, 503]).toContain((await held).status);
  });

  it('stops reading a streamed body once it outgrows the room, and answers 429', async () => {
    const { url, held } = await partlyHeld();
    const { socket, answered } = await rawConnection(url);
    socket.write('POST /v1/traces HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n');
    let sent = 0;
    let answer = '';
    void answered.then((text) => (answer = text));
    const chunk = Buffer.alloc(16 * 1024, 0);
    // Up to 4 MiB, in 16 KiB chunks, until the bridge answers.
    for (let i = 0; i < 256 && answer === '' && !socket.destroyed; i++) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
      sent += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await answered).toMatch(/^HTTP\/1\.1 429/);
    // The room was a third of 1 MiB (a body byte counts three times): the answer came well before 4 MiB were sent.
    expect(sent).toBeLessThan(4 * 1024 * 1024);
    socket.destroy();
    expect([200, 503]).toContain((await held).status);
  });

  it('takes a lone request of more spans than maxPendingSpans in parts, and lands it', async () => {
    opper = await startLocalOpper();
    bridge = await startBridge(opper, { grpcPort: false, maxPendingSpans: 100 });
    const batch = await spans(1000);
    const body = ProtobufTraceSerializer.serializeRequest(batch)!;
    let status = 0;
    for (let tries = 0; tries < 10 && status !== 200; tries++) {
      const response = await fetch(`${bridge.url}/v1/traces`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-protobuf' },
      });
      status = response.status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after')) * 1000));
    }
    expect(status).toBe(200);
    expect(deliveryProblems(opper, opperIds(batch))).toEqual({ missing: [], duplicated: [] });
    expect(bridge.getStats().peakPendingSpans).toBeLessThanOrEqual(100);
  });
});
