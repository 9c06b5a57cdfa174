import { integer, resolveConfig, type ConnectionConfig, type Door, type OpperExporterOptions } from '../config.js';
import type { BridgeLogger, LogLevel } from './log.js';

/** Options of `startOtlpBridge`: the exporter's (key, base URL, concurrency, timeouts...) and the bridge's own. */
export interface OtlpBridgeOptions extends OpperExporterOptions {
  /** Address to listen on. Default `127.0.0.1` (loopback only); `0.0.0.0` or `::` for every interface. */
  host?: string | undefined;
  /** OTLP/HTTP port. Default 4318 (the OTLP default); 0 picks a free port. */
  port?: number | undefined;
  /** OTLP/gRPC port. Default 4317 (the OTLP default); 0 picks a free port; `false` serves no gRPC. */
  grpcPort?: number | false | undefined;
  /** Inbound token: every request must carry `Authorization: Bearer <token>`. Default `OPPER_BRIDGE_TOKEN`.
   * Without one, anyone who reaches the port writes into your Opper project. */
  token?: string | undefined;
  /** How long a request may take to land in Opper before it is answered "send again". Default 5000. */
  responseDeadlineMillis?: number | undefined;
  /** Largest request body, in bytes after decompression; larger ones get 413. Default 8 MiB. */
  maxRequestBytes?: number | undefined;
  /** Memory the requests in flight may take, in bytes, each counted as three times its decompressed body
   * (the body, its decoded spans, their Opper bodies); room is taken before a body is read, and a body
   * that does not fit (or `maxPendingSpans` reached) gets 429 unread. Default 64 MiB. */
  maxPendingBytes?: number | undefined;
  /** Where the one-line JSON logs go. Default: stderr, from `logLevel`. */
  logger?: BridgeLogger | undefined;
  /** Default `info`. */
  logLevel?: LogLevel | undefined;
  /** Interval of the summary log line, in ms; 0 turns it off. Default 60000. */
  summaryIntervalMillis?: number | undefined;
  /** OTLP/HTTP connections open at once; past it new ones are closed at once. Default 1024 (`OPPER_BRIDGE_MAX_CONNECTIONS`). */
  maxConnections?: number | undefined;
  /** How long a client may take to send a request's headers, in ms; then 408 and the connection is closed.
   * Default 10000 (`OPPER_BRIDGE_HEADERS_TIMEOUT_MS`). */
  headersTimeoutMillis?: number | undefined;
  /** How long a client may take to send a whole request, body included, in ms; likewise. Default 30000
   * (`OPPER_BRIDGE_REQUEST_TIMEOUT_MS`): 8 MiB at 280 KiB/s. */
  requestTimeoutMillis?: number | undefined;
  /** How long an idle keep-alive connection is kept, in ms. Default 65000, past the 60 s idle timeout of
   * common load balancers, so that they close first (`OPPER_BRIDGE_KEEP_ALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMillis?: number | undefined;
}

export interface BridgeConfig {
  readonly connection: ConnectionConfig;
  readonly host: string;
  readonly port: number;
  readonly grpcPort: number | false;
  readonly token: string | undefined;
  readonly responseDeadlineMillis: number;
  readonly maxRequestBytes: number;
  readonly maxPendingBytes: number;
  readonly summaryIntervalMillis: number;
  readonly maxConnections: number;
  readonly headersTimeoutMillis: number;
  readonly requestTimeoutMillis: number;
  readonly keepAliveTimeoutMillis: number;
}

/** How the OTLP/HTTP server treats connections. */
export type ConnectionLimits = Pick<
  BridgeConfig,
  'maxConnections' | 'headersTimeoutMillis' | 'requestTimeoutMillis' | 'keepAliveTimeoutMillis'
>;

const DOOR: Door = 'opper-otlp-bridge';

export const DEFAULT_HTTP_PORT = 4318;
export const DEFAULT_GRPC_PORT = 4317;
// Below the OTLP clients' own timeouts (OpenTelemetry JS: 10 s per export, retries included; the
// Collector: 30 s): a client hears back while it still has time to send again, and never gives
// up on a request that the bridge is still working on (which would double the load).
export const DEFAULT_RESPONSE_DEADLINE_MS = 5000;

/** Merges options with the environment and validates them; throws TypeError/RangeError. */
export function resolveBridgeConfig(options: OtlpBridgeOptions = {}, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const {
    host,
    port,
    grpcPort,
    token,
    responseDeadlineMillis,
    maxRequestBytes,
    maxPendingBytes,
    logger,
    logLevel,
    summaryIntervalMillis,
    maxConnections,
    headersTimeoutMillis,
    requestTimeoutMillis,
    keepAliveTimeoutMillis,
    ...connectionOptions
  } = options;
  const connection = resolveConfig(connectionOptions, env, DOOR);
  // A server that cannot forward should not start: unlike the exporter, it stops with the reason (which names the bridge).
  if (connection.environmentProblem !== undefined) throw new TypeError(connection.environmentProblem);
  if (connection.apiKey === undefined) throw new TypeError('opper-otlp-bridge: no API key (set OPPER_API_KEY or the apiKey option)');
  const inboundToken = token ?? (env.OPPER_BRIDGE_TOKEN?.trim() || undefined);
  if (inboundToken !== undefined && (typeof inboundToken !== 'string' || !/^[\x21-\x7e]+$/.test(inboundToken))) {
    throw new TypeError('opper-otlp-bridge: the token must be non-empty printable ASCII without spaces');
  }
  if (host !== undefined && (typeof host !== 'string' || host.trim() === ''))
    throw new TypeError('opper-otlp-bridge: host must be a non-empty string');
  const config = Object.freeze({
    connection,
    host: host?.trim() ?? '127.0.0.1',
    port: integer(DOOR, 'port', port, DEFAULT_HTTP_PORT, 0, 65535),
    grpcPort: grpcPort === false ? false : integer(DOOR, 'grpcPort', grpcPort, DEFAULT_GRPC_PORT, 0, 65535),
    token: inboundToken,
    responseDeadlineMillis: integer(DOOR, 'responseDeadlineMillis', responseDeadlineMillis, DEFAULT_RESPONSE_DEADLINE_MS, 100, 600_000),
    maxRequestBytes: integer(DOOR, 'maxRequestBytes', maxRequestBytes, 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxPendingBytes: integer(DOOR, 'maxPendingBytes', maxPendingBytes, 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
    summaryIntervalMillis: integer(DOOR, 'summaryIntervalMillis', summaryIntervalMillis, 60_000, 0, 86_400_000),
    maxConnections: integer(DOOR, ...orEnv('maxConnections', maxConnections, env, 'OPPER_BRIDGE_MAX_CONNECTIONS'), 1024, 1, 1_000_000),
    headersTimeoutMillis: integer(
      DOOR,
      ...orEnv('headersTimeoutMillis', headersTimeoutMillis, env, 'OPPER_BRIDGE_HEADERS_TIMEOUT_MS'),
      10_000,
      100,
      600_000,
    ),
    requestTimeoutMillis: integer(
      DOOR,
      ...orEnv('requestTimeoutMillis', requestTimeoutMillis, env, 'OPPER_BRIDGE_REQUEST_TIMEOUT_MS'),
      30_000,
      100,
      3_600_000,
    ),
    keepAliveTimeoutMillis: integer(
      DOOR,
      ...orEnv('keepAliveTimeoutMillis', keepAliveTimeoutMillis, env, 'OPPER_BRIDGE_KEEP_ALIVE_TIMEOUT_MS'),
      65_000,
      100,
      3_600_000,
    ),
  });
  if (config.headersTimeoutMillis > config.requestTimeoutMillis) {
    throw new RangeError(
      `opper-otlp-bridge: headersTimeoutMillis (${config.headersTimeoutMillis}) must not exceed requestTimeoutMillis (${config.requestTimeoutMillis})`,
    );
  }
  return config;
}

/** The option's name and value, else the variable's (a whole number, or the text for `integer()` to refuse, naming it). */
function orEnv(name: string, option: number | undefined, env: NodeJS.ProcessEnv, variable: string): [string, unknown] {
  if (option !== undefined) return [name, option];
  const value = env[variable]?.trim();
  if (value === undefined || value === '') return [name, undefined];
  return [variable, /^\d+$/.test(value) ? Number(value) : value];
}

/** Whether `host` only accepts connections from this machine. */
export { isLoopback } from '../transport/proxy.js';
