// `npm run build`: compiles src/ into a fresh directory, then swaps it in for dist/. A test run
// reads dist/ (the bins, the fixture apps, the bundles) while another `npm test` in the same
// checkout rebuilds it (its pretest): removing dist/ and writing it file by file would pull it
// from under the first run. The swap leaves dist/ complete at every moment but between two renames.
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const fresh = `dist.build-${process.pid}`;
const olds = [];
try {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', fresh], { stdio: 'inherit' });
} catch {
  rmSync(fresh, { recursive: true, force: true });
  process.exit(1);
}
// Another build may swap at the same time: whichever renames last wins, both builds are complete.
for (let attempt = 0; ; attempt++) {
  const old = `dist.old-${process.pid}-${attempt}`;
  try {
    renameSync('dist', old);
    olds.push(old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    renameSync(fresh, 'dist');
    break;
  } catch (error) {
    if (!['ENOTEMPTY', 'EEXIST'].includes(error.code) || attempt >= 100) throw error;
  }
}
for (const old of olds) rmSync(old, { recursive: true, force: true });
