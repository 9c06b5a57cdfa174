// An install of its own for a step whose packages cannot share its line's install (Mastra,
// Next.js): the packed exporter with the step's exact versions, under the compat work dir.
import path from 'node:path';

/**
 * Installs `<line>-<id>` with the line's node and records `install (<id>)`: npm must exit 0
 * without ERESOLVE and `npm ls --all` must be clean; `extra(dir)` returns more problems and an
 * addition to the detail. Resolves the dir, or undefined (then `app <id>` is recorded as not run).
 */
export async function installOwn(id, dependencies, line, nodeBin, tarball, ctx, extra = () => ({ problems: [] })) {
  const { work, record, npm, output, writePackageJson, installedVersion, NPM_FLAGS } = ctx;
  const dir = path.join(work, `${line.id}-${id}`);
  writePackageJson(dir, `compat-${line.id}-${id}`, { 'opentelemetry-exporter-opper': `file:${tarball}`, ...dependencies });
  const t0 = Date.now();
  const install = await npm(nodeBin, ['install', ...NPM_FLAGS], { cwd: dir });
  const problems = [];
  if (install.code !== 0) problems.push(`npm install exited ${install.code}`);
  if (/ERESOLVE/.test(install.stdout + install.stderr)) problems.push('npm reported ERESOLVE');
  const ls = install.code === 0 ? await npm(nodeBin, ['ls', '--all'], { cwd: dir }) : undefined;
  if (ls && ls.code !== 0) problems.push('npm ls --all reports an invalid tree');
  const more = install.code === 0 ? extra(dir) : { problems: [] };
  problems.push(...more.problems);
  const versions = Object.keys(dependencies).map((name) => `${name} ${installedVersion(dir, name)}`);
  record({
    line: line.id,
    name: `install (${id})`,
    status: problems.length ? 'fail' : 'pass',
    ms: Date.now() - t0,
    detail: problems.length ? problems.join('; ') : `own dir, npm ls clean: ${[...versions, more.detail].filter(Boolean).join(', ')}`,
    output: problems.length ? [output(install), ls ? output(ls) : ''].join('\n') : undefined,
  });
  if (!problems.length) return dir;
  record({ line: line.id, name: `app ${id}`, status: 'fail', detail: 'not run: the install failed' });
  return undefined;
}
