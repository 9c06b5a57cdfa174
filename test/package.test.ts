import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OpperSpanExporter } from '../src/index.js';
import { VERSION } from '../src/version.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('the package', () => {
  it('sends the version of package.json in its User-Agent', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('is a SpanExporter of the SDK (checked by the typecheck) and needs no SDK at run time', () => {
    const exporter: SpanExporter = new OpperSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v2' });
    expect(typeof exporter.export).toBe('function');
    expect(Object.keys(pkg.dependencies)).not.toContain('@opentelemetry/sdk-trace-base');
    expect(Object.keys(pkg.peerDependencies)).toEqual(['@opentelemetry/api']);
  });
});
