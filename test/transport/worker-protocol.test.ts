// The worker protocol: the engine's setup is plain data (a worker gets it by structured clone), its
// functions are built from it in one place, and a message the worker does not know is fatal.
import { describe, expect, it, jest } from '@jest/globals';
import { Worker } from 'node:worker_threads';
import { engineOptions, type DeliverySetup } from '../../src/transport/delivery.js';
import { unknownMessage } from '../../src/transport/worker-protocol.js';

const KEY = 'op-secret-key-0123456789';
const setup: DeliverySetup = {
  client: { baseUrl: 'http://127.0.0.1:9', apiKey: KEY, headers: {}, userAgent: 'test', maxConnections: 4 },
  sender: { door: 'test', concurrency: { initial: 2, min: 1, max: 4 }, timeoutMillis: 1000, maxPendingSpans: 10 },
  shrinkBytes: 1024,
};

describe('the engine setup', () => {
  it('is plain data', () => {
    expect(structuredClone(setup)).toEqual(setup);
  });

  it('gives the sender and the client their functions, notifications going to the hooks', () => {
    const onProblem = jest.fn();
    const onProxyFailure = jest.fn();
    const { client, sender } = engineOptions(setup, { onProblem, onProxyFailure });
    expect(sender.baseUrl).toBe(setup.client.baseUrl);
    expect(sender.redact(`key ${KEY}`)).toBe('key [REDACTED]');
    const big = JSON.stringify({ id: 'a', name: 'n', input: 'x'.repeat(10_000) });
    expect(Buffer.byteLength(sender.shrink(big))).toBeLessThanOrEqual(setup.shrinkBytes);
    sender.onProblem({ cause: 'unreachable', message: 'down' });
    client.onProxyFailure?.('refused');
    expect(onProblem).toHaveBeenCalledWith({ cause: 'unreachable', message: 'down' });
    expect(onProxyFailure).toHaveBeenCalledWith('refused');
  });
});

describe('a message of no known type', () => {
  it('is an error naming its type', () => {
    expect(unknownMessage({ type: 'bogus' } as never).message).toMatch(/unknown message "bogus"/);
  });

  it('ends the worker with that error', async () => {
    const script = new URL('../../dist/transport/worker.js', import.meta.url);
    const worker = new Worker(script, { workerData: setup, execArgv: [] });
    const failed = new Promise<Error>((resolve) => worker.once('error', resolve));
    worker.postMessage({ type: 'bogus' });
    expect((await failed).message).toMatch(/unknown message "bogus"/);
    await worker.terminate();
  });
});
