#!/usr/bin/env node
/** `opentelemetry-exporter-opper`: `check` a key and base URL, or run the `local` Opper and watch. */
import { parseArgs } from 'node:util';
import { VERSION } from '../version.js';
import { CheckExit, DEFAULT_CHECK_TIMEOUT_MS, runCheck } from './check.js';
import { DEFAULT_LOCAL_PORT, runLocal } from './local.js';

const HELP = `opentelemetry-exporter-opper ${VERSION}: check that traces reach Opper, or watch what your app sends.

Commands:
  check [--timeout-ms N]   a real round trip with the exporter's settings (OPPER_API_KEY, OPPER_BASE_URL,
                           HTTPS_PROXY/HTTP_PROXY/NO_PROXY): creates and ends a test span named
                           "opentelemetry-exporter-opper check", reads it back, and says where to see it.
                           Gives up after --timeout-ms (default ${DEFAULT_CHECK_TIMEOUT_MS}).
  local [--port N] [--host ADDR] [--api-key KEY]
                           runs a local Opper-compatible server (default 127.0.0.1:${DEFAULT_LOCAL_PORT}), prints the
                           OPPER_BASE_URL and OPPER_API_KEY to give your app, then each trace as it arrives.
  --version                the package's version
  --help                   this text

Exit codes of check:
  0 ok                  2 usage               3 no key, or an unusable environment variable
  4 key rejected        5 base URL is not Opper's API (404: no /v2?)   6 redirect
  7 TLS (untrusted certificate, or https:// at a plain-http server)    8 DNS
  9 connection refused  10 no answer in time  11 a reply that is not Opper's   12 other
The key is never printed. The OTLP bridge is its own command: npx opper-otlp-bridge --help
`;

const FLAGS = {
  'timeout-ms': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max)
    throw new TypeError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : CheckExit.Usage;
  }
  if (rest.length > 0) throw new TypeError(`unexpected ${JSON.stringify(rest.join(' '))}`);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (command === 'check') {
    // check prints every cause itself; the exporter's process warnings would say it twice.
    process.removeAllListeners('warning');
    return runCheck(process.env, whole('timeout-ms', values['timeout-ms'], DEFAULT_CHECK_TIMEOUT_MS, 1, 600_000), print);
  }
  if (command === 'local') {
    const port = whole('port', values.port, DEFAULT_LOCAL_PORT, 0, 65535);
    const local = await runLocal({ port, host: values.host ?? '127.0.0.1', apiKey: values['api-key'] }, print);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const { spans, violations } = local.opper;
    print(`Stopped: ${spans.size} span(s) received, ${violations.length} contract violation(s).`);
    await local.close();
    return 0;
  }
  throw new TypeError(`unknown command ${JSON.stringify(command)}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const inUse = (error as { code?: string }).code === 'EADDRINUSE' ? '; pass another --port' : '';
    const message = `${error instanceof Error ? error.message : String(error)}${inUse}`;
    const usage = error instanceof TypeError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`opentelemetry-exporter-opper: ${message}\n${usage ? `\n${HELP}` : ''}`);
    process.exitCode = usage ? CheckExit.Usage : 1;
  },
);
