import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LocalOpper } from '../../src/testing/index.js';

const BIN = fileURLToPath(new URL('../../dist/bridge/bin.js', import.meta.url));

export interface BridgeProcess {
  child: ChildProcess;
  url: string;
  /** Every log line so far, parsed. */
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the built `opper-otlp-bridge` bin against `opper` on a free port; resolves once it listens. */
export function spawnBridge(opper: LocalOpper, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BridgeProcess> {
  if (!existsSync(BIN)) return Promise.reject(new Error('dist/ is missing: run `npm run build` first'));
  const child = spawn(process.execPath, [BIN, '--port', '0', '--grpc-port', 'off', ...args], {
    env: { PATH: process.env.PATH, OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = { level: 'raw', msg: line };
      }
      lines.push(parsed);
      if (parsed.msg === 'listening') resolve({ child, url: String(parsed.http), lines, exited });
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`the bridge exited (${code ?? signal}) before listening: ${JSON.stringify(lines)}`)),
    );
  });
}

/**
 * A TCP round-robin load balancer over `backends` (host:port URLs), as a cloud LB or a
 * Kubernetes Service would be: a backend that refuses the connection is skipped.
 */
export async function startBalancer(backends: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const targets = backends.map((url) => new URL(url));
  const sockets = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((inbound) => {
    sockets.add(inbound);
    inbound.once('close', () => sockets.delete(inbound));
    const connect = (tries: number) => {
      const target = targets[next++ % targets.length]!;
      const outbound = createConnection({ host: target.hostname, port: Number(target.port) });
      sockets.add(outbound);
      outbound.once('close', () => sockets.delete(outbound));
      outbound.once('connect', () => {
        inbound.pipe(outbound).pipe(inbound);
        outbound.once('error', () => inbound.destroy());
        inbound.once('error', () => outbound.destroy());
        outbound.once('close', () => inbound.destroy());
        inbound.once('close', () => outbound.destroy());
      });
      outbound.once('error', () => {
        if (outbound.readyState === 'opening' || !outbound.remoteAddress) {
          if (tries < targets.length) connect(tries + 1);
          else inbound.destroy();
        }
      });
    };
    connect(1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
