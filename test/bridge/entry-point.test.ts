// The bridge's dependencies (protobufjs, grpc-js) load only from its own entry point: an app that
// imports the exporter and exports through it never loads them. Run in plain node on dist/.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalOpper, type LocalOpper } from '../../src/testing/index.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Both are CommonJS: once loaded, they are in the CommonJS module cache.
const LOADED = `
  const { createRequire } = await import('node:module');
  const loaded = () => [...new Set(Object.keys(createRequire(import.meta.url).cache)
    .map((path) => /node_modules\\/(protobufjs|@grpc\\/grpc-js)\\//.exec(path)?.[1]).filter(Boolean))].sort();`;

async function runScript(body: string, opper: LocalOpper): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `${LOADED}\n${body}`], {
    cwd: ROOT,
    env: { ...process.env, OPPER_BASE_URL: opper.url, OPPER_API_KEY: opper.apiKey },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('the bridge entry point', () => {
  let opper: LocalOpper;
  beforeAll(async () => {
    opper = await startLocalOpper();
  });
  afterAll(() => opper.close());

  it('is not loaded by an app that imports the exporter and exports through it', async () => {
    const result = await runScript(
      `
      const { OpperSpanExporter } = await import('opentelemetry-exporter-opper');
      const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
      const exporter = new OpperSpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      provider.getTracer('t').startSpan('one').end();
      await provider.shutdown();
      console.log(JSON.stringify({ loaded: loaded(), exported: exporter.getStats().spansExported }));`,
      opper,
    );
    expect(result).toEqual({ loaded: [], exported: 1 });
  });

  it('loads protobufjs on import, and grpc-js only once a gRPC port is served', async () => {
    const result = await runScript(
      `
      const { startOtlpBridge } = await import('opentelemetry-exporter-opper/bridge');
      const onImport = loaded();
      const httpOnly = await startOtlpBridge({ port: 0, grpcPort: false, logger: { log() {} } });
      const withoutGrpc = loaded();
      await httpOnly.close();
      const both = await startOtlpBridge({ port: 0, grpcPort: 0, logger: { log() {} } });
      const withGrpc = loaded();
      await both.close();
      console.log(JSON.stringify({ onImport, withoutGrpc, withGrpc }));`,
      opper,
    );
    expect(result).toEqual({ onImport: ['protobufjs'], withoutGrpc: ['protobufjs'], withGrpc: ['@grpc/grpc-js', 'protobufjs'] });
  });

  it('ships as `opentelemetry-exporter-opper/bridge` and the `opper-otlp-bridge` bin, with the OTLP schema in its code', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
    expect(pkg.exports['./bridge']).toEqual({ types: './dist/bridge/index.d.ts', default: './dist/bridge/index.js' });
    expect(pkg.bin).toEqual({ 'opper-otlp-bridge': './dist/bridge/bin.js', 'opentelemetry-exporter-opper': './dist/cli/bin.js' });
    expect(readFileSync(`${ROOT}dist/bridge/bin.js`, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
