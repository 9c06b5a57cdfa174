#!/usr/bin/env node
/** `opper-otlp-bridge`: the OTLP bridge as a process, set by environment and flags (`--help`). */
import { parseArgs } from 'node:util';
import { startOtlpBridge } from './bridge.js';
import { VERSION } from '../version.js';
import { jsonLogger, type LogLevel } from './log.js';
import { DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, DEFAULT_RESPONSE_DEADLINE_MS, type OtlpBridgeOptions } from './options.js';

const HELP = `opper-otlp-bridge: an OTLP endpoint (HTTP and gRPC) that forwards traces to Opper.

Environment:
  OPPER_API_KEY           Opper API key (required)
  OPPER_BASE_URL          Opper API base URL (default https://api.opper.ai/v2)
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY   forward proxy to Opper (also lower case), e.g.
                          http://user:password@proxy:3128; NO_PROXY lists hosts reached directly
  OPPER_BRIDGE_TOKEN      inbound token: every request must carry "Authorization: Bearer <token>".
                          Without one, anyone who reaches the port writes into your Opper project.
  OPPER_BRIDGE_HOST, OPPER_BRIDGE_PORT, OPPER_BRIDGE_GRPC_PORT   as the flags below
  OPPER_BRIDGE_MAX_CONNECTIONS, OPPER_BRIDGE_HEADERS_TIMEOUT_MS, OPPER_BRIDGE_REQUEST_TIMEOUT_MS,
  OPPER_BRIDGE_KEEP_ALIVE_TIMEOUT_MS   likewise

Flags:
  --host ADDR                 listen address (default 127.0.0.1; 0.0.0.0 for every interface)
  --port N                    OTLP/HTTP port (default ${DEFAULT_HTTP_PORT})
  --grpc-port N|off           OTLP/gRPC port (default ${DEFAULT_GRPC_PORT})
  --response-deadline-ms N    answer "send again" after this long without every span in Opper (default ${DEFAULT_RESPONSE_DEADLINE_MS})
  --max-concurrency N         most requests to Opper in flight at once; the number adapts
                              between 4 and this to the load and to Opper's answers (default 1024)
  --concurrency N             a fixed number of requests in flight instead (default: adaptive)
  --max-pending-spans N       spans in flight; past it requests get 429 / RESOURCE_EXHAUSTED, and a larger
                              request is taken that many at a time (default 4096)
  --max-pending-bytes N       memory of requests in flight, a body byte counted 3 times; a body that does
                              not fit gets 429 before it is read (default 67108864)
  --max-request-bytes N       largest body after decompression; larger ones get 413 (default 8388608)
  --timeout-ms N              timeout of one request to Opper (default 10000)
  --max-connections N         OTLP/HTTP connections at once; past it new ones are closed (default 1024)
  --headers-timeout-ms N      a client's time to send the headers; then 408 and close (default 10000)
  --request-timeout-ms N      a client's time to send the whole request, body included (default 30000)
  --keep-alive-timeout-ms N   how long an idle connection is kept (default 65000)
  --log-level L               debug, info, warn or error (default info)
  --version                   the package's version
  --help                      this text

On SIGTERM or SIGINT it stops accepting, finishes what is in flight and exits 0 within the
response deadline plus 1 s. Logs are one JSON object per line on stderr.
`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'grpc-port': { type: 'string' },
  'response-deadline-ms': { type: 'string' },
  concurrency: { type: 'string' },
  'max-concurrency': { type: 'string' },
  'max-pending-spans': { type: 'string' },
  'max-pending-bytes': { type: 'string' },
  'max-request-bytes': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'max-connections': { type: 'string' },
  'headers-timeout-ms': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
  'keep-alive-timeout-ms': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

const LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const logger = jsonLogger();

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\d+$/.test(value.trim())) throw new TypeError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): OtlpBridgeOptions | 'help' | 'version' {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const level = values['log-level'];
  if (level !== undefined && !LEVELS.has(level))
    throw new TypeError(`--log-level must be debug, info, warn or error, got ${JSON.stringify(level)}`);
  const grpcPort = values['grpc-port'] ?? env.OPPER_BRIDGE_GRPC_PORT;
  return {
    host: values.host ?? (env.OPPER_BRIDGE_HOST?.trim() || undefined),
    port: number('port', values.port ?? env.OPPER_BRIDGE_PORT),
    grpcPort: grpcPort?.trim() === 'off' ? false : number('grpc-port', grpcPort),
    responseDeadlineMillis: number('response-deadline-ms', values['response-deadline-ms']),
    concurrency: number('concurrency', values.concurrency),
    maxConcurrency: number('max-concurrency', values['max-concurrency']),
    maxPendingSpans: number('max-pending-spans', values['max-pending-spans']),
    maxPendingBytes: number('max-pending-bytes', values['max-pending-bytes']),
    maxRequestBytes: number('max-request-bytes', values['max-request-bytes']),
    timeoutMillis: number('timeout-ms', values['timeout-ms']),
    maxConnections: number('max-connections', values['max-connections']),
    headersTimeoutMillis: number('headers-timeout-ms', values['headers-timeout-ms']),
    requestTimeoutMillis: number('request-timeout-ms', values['request-timeout-ms']),
    keepAliveTimeoutMillis: number('keep-alive-timeout-ms', values['keep-alive-timeout-ms']),
    logLevel: level as LogLevel | undefined,
  };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof optionsFrom>;
  try {
    options = optionsFrom(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`opper-otlp-bridge: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === 'help' || options === 'version') {
    process.stdout.write(options === 'help' ? HELP : `${VERSION}\n`);
    return;
  }
  const bridge = await startOtlpBridge(options);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'signal', { signal });
    void bridge.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  logger.log('error', 'could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
