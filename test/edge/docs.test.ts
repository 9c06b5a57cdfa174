/** docs/runtimes.md: its blocks are not run in Node by the README test, and each is one that
 * test/compat/runtimes.mjs runs in its runtime (so none is shown untested). */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain ES module of the compat suite, without types
import { planExamples } from '../compat/readme-blocks.mjs';
// @ts-expect-error: as above
import { docBlocks } from '../compat/runtimes.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('docs/runtimes.md', () => {
  it('has only blocks the runtime checks run: the Workers one in workerd, the middleware one in edge-runtime', () => {
    const plan = planExamples('docs/runtimes.md', readFileSync(`${repo}docs/runtimes.md`, 'utf8'));
    expect(plan.problems).toEqual([]);
    expect(plan.examples).toEqual([]);
    expect(Object.keys(docBlocks(repo, 'workerd'))).toEqual(['worker.mjs']);
    expect(Object.keys(docBlocks(repo, 'edge-runtime'))).toEqual(['middleware.mjs']);
    expect(plan.skipped).toHaveLength(2);
  });
});
