/**
 * The OTLP bridge: OTLP/HTTP and OTLP/gRPC in, Opper out, through the same translation and
 * sender as the exporter. Stateless: Opper ids are pure functions of the OTel ids, so any replica
 * can take any request and a retried request lands once (a create that already landed answers 409).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as Grpc from '@grpc/grpc-js';
import { Warnings } from '../diagnostics.js';
import { createEngine, translateOptions, type InlineEngine } from '../engine.js';
import { proxyHost } from '../transport/proxy.js';
import { VERSION } from '../version.js';
import { BytesTicket } from './budget.js';
import { GrpcCode, refusalOf, type BridgeContext, type Refusal } from './door.js';
import { Forwarder, type Answer, type ForwarderStats } from './forwarder.js';
import { bindGrpc, createGrpcDoor } from './grpc-door.js';
import { createHttpDoor } from './http-door.js';
import { jsonLogger, OnceLog, type BridgeLogger } from './log.js';
import { loadCodec } from './otlp-codec.js';
import { isLoopback, resolveBridgeConfig, type BridgeConfig, type OtlpBridgeOptions } from './options.js';
import { probeOpper } from './probe.js';
import type { RequestParts } from './request-parts.js';

/** Codes of the process warnings the bridge emits. */
export const BridgeWarningCode = {
  NoToken: 'OPPER_BRIDGE_NO_TOKEN',
  KeyRejected: 'OPPER_BRIDGE_KEY_REJECTED',
} as const;

export interface OtlpBridgeStats extends ForwarderStats {
  /** OTLP export requests received (refused ones included). */
  requests: number;
  /** Requests refused, by cause: `unauthorized`, `bad-body`, `too-large`, `content-type`, `busy`, `unavailable`, `draining`, ... */
  refused: Record<string, number>;
  /** Requests made to Opper, retries included. */
  opperRequests: number;
  opperRetries: number;
}

export interface OtlpBridge {
  /** OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318` (traces go to `${url}/v1/traces`). */
  readonly url: string;
  /** OTLP/gRPC address, e.g. `http://127.0.0.1:4317`; undefined when gRPC is off. */
  readonly grpcUrl: string | undefined;
  /** Stops accepting, finishes what is in flight (at most `responseDeadlineMillis` + 1 s), then stops. Idempotent. */
  close(): Promise<void>;
  getStats(): OtlpBridgeStats;
}

/** How long close() waits, past the response deadline, for connections to go. */
const CLOSE_MARGIN_MS = 1000;
/** Readiness is re-checked against Opper when no delivery said anything for this long. */
const READY_EVIDENCE_MS = 30_000;
/** What the bridge remembers of spans already delivered, so a re-sent batch only costs what is missing:
 * about 16 MiB at most, and long enough for a Collector's retries (its default gives up after 5 min). */
const REMEMBERED = { maxSpans: 131_072, maxBytes: 16 * 1024 * 1024, ttlMillis: 10 * 60_000 };

/** Starts the bridge and resolves once it listens. Throws on invalid options or a port in use. */
export async function startOtlpBridge(options: OtlpBridgeOptions = {}): Promise<OtlpBridge> {
  const config = resolveBridgeConfig(options);
  const warnings = new Warnings(config.connection.apiKey);
  const logger = options.logger ?? jsonLogger({ level: options.logLevel, redact: (text) => warnings.redact(text) });
  const codec = await loadCodec();
  const bridge = new Bridge(config, logger, warnings, codec);
  try {
    await bridge.listen();
  } catch (error) {
    await bridge.close({ quietly: true });
    throw error;
  }
  return bridge;
}

class Bridge implements OtlpBridge, BridgeContext {
  readonly maxRequestBytes: number;
  url = '';
  grpcUrl: string | undefined;
  private readonly engine: InlineEngine;
  private readonly forwarder: Forwarder;
  private readonly once: OnceLog;
  private readonly http: HttpServer;
  private grpc?: { server: Grpc.Server; grpc: typeof Grpc };
  private readonly inFlight = new Set<Promise<Answer>>();
  private readonly refusedCounts: Record<string, number> = {};
  private requests = 0;
  private closing?: Promise<void>;
  private summaryTimer?: NodeJS.Timeout;
  private probe?: { at: number; result: Promise<string | undefined> };

  constructor(
    private readonly config: BridgeConfig,
    readonly logger: BridgeLogger,
    private readonly warnings: Warnings,
    readonly codec: BridgeContext['codec'],
  ) {
    const { connection } = config;
    this.maxRequestBytes = config.maxRequestBytes;
    this.once = new OnceLog(logger);
    // On this thread (the forwarder asks the sender at once), remembering what landed.
    this.engine = createEngine(connection, warnings, {
      door: 'opper-otlp-bridge',
      tag: '(otlp-bridge)',
      inline: true,
      // The forwarder's budget bounds what is in flight; the sender must not refuse below it.
      sender: { maxPendingSpans: Number.MAX_SAFE_INTEGER, remember: REMEMBERED },
      onKeyProblem: ({ status }) => {
        const text = `opper-otlp-bridge: Opper rejected the API key (HTTP ${status}) at ${connection.baseUrl}; requests are answered 503 until it is fixed`;
        this.once.log('error', 'key-rejected', text);
        warnings.once(BridgeWarningCode.KeyRejected, text);
      },
      onProxyFailure: (message) => this.once.warn('proxy-failed', message),
    });
    this.forwarder = new Forwarder(
      this.engine.sender,
      {
        translate: translateOptions(connection, warnings, 'opper-otlp-bridge'),
        responseDeadlineMillis: config.responseDeadlineMillis,
        maxPendingSpans: connection.maxPendingSpans,
        maxPendingBytes: config.maxPendingBytes,
      },
      (text) => warnings.redact(text),
    );
    this.http = createHttpDoor(this, config);
  }

  async listen(): Promise<void> {
    const { host, port, grpcPort, token } = this.config;
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const shownHost = host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shownHost}:${(this.http.address() as AddressInfo).port}`;
    if (grpcPort !== false) {
      this.grpc = await createGrpcDoor(this);
      this.grpcUrl = `http://${shownHost}:${await bindGrpc(this.grpc.grpc, this.grpc.server, host, grpcPort)}`;
    }
    const { connection } = this.config;
    this.logger.log('info', 'listening', {
      http: this.url,
      grpc: this.grpcUrl ?? 'off',
      opper: connection.baseUrl,
      proxy: connection.proxy === undefined ? 'none' : proxyHost(connection.proxy.url),
      token: token === undefined ? 'none' : 'required',
      concurrency: connection.concurrency,
      responseDeadlineMillis: this.config.responseDeadlineMillis,
      maxPendingSpans: connection.maxPendingSpans,
      maxPendingBytes: this.config.maxPendingBytes,
      maxRequestBytes: this.config.maxRequestBytes,
      maxConnections: this.config.maxConnections,
      headersTimeoutMillis: this.config.headersTimeoutMillis,
      requestTimeoutMillis: this.config.requestTimeoutMillis,
      keepAliveTimeoutMillis: this.config.keepAliveTimeoutMillis,
      version: VERSION,
    });
    if (token === undefined && !isLoopback(host)) {
      const message = `opper-otlp-bridge: listening on ${host} without a token: anyone who reaches the port writes into your Opper project. Set OPPER_BRIDGE_TOKEN.`;
      this.logger.log('warn', message, { cause: 'no-token' });
      this.warnings.once(BridgeWarningCode.NoToken, message);
    }
    if (this.config.summaryIntervalMillis > 0) {
      let last = '';
      this.summaryTimer = setInterval(() => {
        const stats = this.getStats();
        const line = JSON.stringify(stats);
        if (line !== last) this.logger.log('info', 'summary', { ...stats });
        last = line;
      }, this.config.summaryIntervalMillis).unref();
    }
  }

  get draining(): boolean {
    return this.closing !== undefined;
  }

  checkToken(authorization: string | undefined): Refusal | undefined {
    const { token } = this.config;
    if (token === undefined) return undefined;
    const expected = Buffer.from(`Bearer ${token}`);
    const given = Buffer.from(authorization ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
    return {
      status: 401,
      code: GrpcCode.UNAUTHENTICATED,
      cause: 'unauthorized',
      message: 'missing or wrong token (expected Authorization: Bearer <OPPER_BRIDGE_TOKEN>)',
    };
  }

  admit(declared: number): BytesTicket | Refusal {
    if (this.closing) {
      return {
        status: 503,
        code: GrpcCode.UNAVAILABLE,
        cause: 'draining',
        message: 'the bridge is shutting down; send to another replica',
        retryAfterSeconds: 1,
      };
    }
    const admitted = this.forwarder.admit(declared);
    return admitted instanceof BytesTicket ? admitted : refusalOf(admitted);
  }

  received(): void {
    this.requests++;
  }

  forward(request: RequestParts, ticket: BytesTicket, deadline?: number): Promise<Answer> {
    const started = Date.now();
    const { bytes } = ticket;
    const work = this.forwarder.forward(request, ticket, deadline);
    this.inFlight.add(work);
    const untrack = () => this.inFlight.delete(work);
    work.then(untrack, untrack);
    // One line per request at debug: what came in and what it was answered (counts, never data).
    void work.then(
      (answer) => {
        const rejected = answer.kind === 'ok' ? { rejected: answer.rejected } : {};
        this.logger.log('debug', 'request', {
          spans: request.count,
          bytes,
          answer: answer.kind,
          ...rejected,
          millis: Date.now() - started,
        });
      },
      () => undefined,
    );
    return work;
  }

  refused(refusal: Refusal, remote: string | undefined): void {
    this.refusedCounts[refusal.cause] = (this.refusedCounts[refusal.cause] ?? 0) + 1;
    this.logger.log('debug', 'request', { answer: 'refused', cause: refusal.cause, status: refusal.status, remote });
    // Saturation and outages are reported by the summary; a client's mistake is worth a line at once.
    if (refusal.status < 429) this.once.warn(refusal.cause, `request refused: ${refusal.message}`, { status: refusal.status, remote });
    else if (refusal.cause === 'unavailable')
      this.once.warn(refusal.cause, `request answered "send again": ${refusal.message}`, { status: refusal.status });
  }

  async readiness(): Promise<string | undefined> {
    if (this.closing) return 'the bridge is shutting down';
    const now = Date.now();
    if (now - this.forwarder.lastOpperAt < READY_EVIDENCE_MS) return this.forwarder.lastOpperProblem;
    if (this.probe === undefined || now - this.probe.at > READY_EVIDENCE_MS) {
      const { baseUrl, timeoutMillis } = this.config.connection;
      this.probe = { at: now, result: probeOpper(this.engine.client, baseUrl, Math.min(timeoutMillis, 3000)) };
    }
    return this.probe.result;
  }

  getStats(): OtlpBridgeStats {
    return {
      requests: this.requests,
      ...this.forwarder.stats(),
      refused: { ...this.refusedCounts },
      opperRequests: this.engine.sender.counters.requests,
      opperRetries: this.engine.sender.counters.retries,
    };
  }

  /** `quietly`: a bridge that never started listening has nothing to drain or report. */
  close(options: { quietly?: boolean } = {}): Promise<void> {
    this.closing ??= this.drain(options.quietly === true);
    return this.closing;
  }

  private async drain(quietly: boolean): Promise<void> {
    clearInterval(this.summaryTimer);
    const bound = this.config.responseDeadlineMillis + CLOSE_MARGIN_MS;
    const started = Date.now();
    if (!quietly) this.logger.log('info', 'draining', { inFlight: this.inFlight.size, boundMillis: bound });
    const httpClosed = new Promise<void>((resolve) => (this.http.listening ? this.http.close(() => resolve()) : resolve()));
    const grpcClosed = new Promise<void>((resolve) => (this.grpc ? this.grpc.server.tryShutdown(() => resolve()) : resolve()));
    const timer = sleep(bound);
    // Deliveries end by their deadline; then the answers go out, and the connections they leave idle are closed.
    const answered = Promise.allSettled([...this.inFlight]).then(() => setImmediate(() => this.http.closeIdleConnections()));
    // Work that goes on past its answer is finished too, within the same bound.
    const finished = answered.then(() => this.forwarder.settled());
    await Promise.race([Promise.all([finished, httpClosed, grpcClosed]), timer.promise]);
    timer.cancel();
    this.http.closeAllConnections();
    this.grpc?.server.forceShutdown();
    this.engine.sender.close();
    if (!quietly) this.logger.log('info', 'stopped', { afterMillis: Date.now() - started, ...this.getStats() });
  }
}

function sleep(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
