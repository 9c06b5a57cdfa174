import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
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

  it('ships its licence, says where it lives, and has no source maps pointing at unshipped files', () => {
    // npm test builds first, so the listing is of a fresh dist/.
    const listing = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' });
    const files: string[] = JSON.parse(listing)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/'))).toEqual(expect.not.arrayContaining([expect.stringMatching(/^src\//)]));
    expect(readFileSync(new URL('../LICENSE', import.meta.url), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(pkg.bugs.url).toMatch(/\/issues$/);
    expect(pkg.homepage).toMatch(/^https:\/\//);
  });

  it('has a CHANGELOG that does not call an unpublished version released', () => {
    const changelog = readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8');
    const released = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}/gm)].map((m) => m[1]);
    // Whatever the tarball holds is either the released version's content or comes after it.
    expect(released.includes(pkg.version)).toBe(!/^## \[Unreleased\]/m.test(changelog));
  });
});
