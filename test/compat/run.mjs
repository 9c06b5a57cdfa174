#!/usr/bin/env node
// The compatibility suite: `node test/compat/run.mjs` (npm run test:compat).
//
// Packs this package, installs the tarball with each OpenTelemetry line's packages (lines.mjs)
// into a throwaway directory under the OS temp dir (never near this repo's node_modules), and
// runs the examples there as users run them, each against a fresh startLocalOpper() in this
// process. Line 2.x runs on the machine's Node 20; line 3.x on Node 24 from the npm registry.
// On the 2.x line it also runs the runtimes beyond Node (runtimes.mjs: workerd, edge-runtime, bun,
// deno). Prints a table, the output of whatever failed, and finally `N passed, M failed`.
//
// COMPAT_KEEP=1 keeps the temp directory (it is always kept when something failed).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { APPS, LINES, MASTRA, NEXTJS, SKIPS } from './lines.mjs';
import { checkApp } from './checks.mjs';
import { installMastra, runMastraApp } from './mastra.mjs';
import { installNext, runNextApp } from './nextjs.mjs';
import { runReadme } from './readme.mjs';
import { runAiSdk7 } from './ai-sdk-7.mjs';
import { runRuntimes, RUNTIMES } from './runtimes.mjs';

const started = Date.now();
const repo = fileURLToPath(new URL('../../', import.meta.url));
const examples = path.join(repo, 'examples');
const probeDir = fileURLToPath(new URL('./probe/', import.meta.url));
const SUITE_DEADLINE_MS = 9.5 * 60_000;
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline'];

let work;

/** Every check's outcome, in the order they finish; the table is printed from this. */
const results = [];

function record(result) {
  results.push(result);
  const mark = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' }[result.status];
  console.log(`${mark} ${result.line.padEnd(6)} ${result.name.padEnd(22)} ${seconds(result.ms).padStart(6)}  ${result.detail ?? ''}`);
}

const seconds = (ms) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)}s`);

// ---------------------------------------------------------------------------------------------
// processes

// npm settings that say where and how to fetch; every other npm_* variable (`npm run` sets
// npm_config_local_prefix to this repo, for one) stays out of the children.
const NPM_PASS =
  /^npm_config_(cache|registry|@.*:registry|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|userconfig|globalconfig|prefer_offline)$/i;

/** Environment for child processes: no OpenTelemetry, Opper or NODE_OPTIONS settings leak in. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !NPM_PASS.test(key)) continue;
    if (/^otel_/i.test(key) || ['NODE_OPTIONS', 'INIT_CWD', 'OPPER_API_KEY', 'OPPER_BASE_URL'].includes(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion; resolves with its exit code and output, never rejects. */
function run(command, args, { cwd, env = cleanEnv(), timeoutMs = 300_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n[compat] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}\n${error.stack}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), signal, stdout, stderr });
    });
  });
}

/** npm's own CLI script, so that npm can run under another node binary. */
function npmCli() {
  const candidates = [process.env.npm_execpath];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) candidates.push(path.join(dir, 'npm'));
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  for (const candidate of candidates) {
    if (!candidate || !fs.existsSync(candidate)) continue;
    const real = fs.realpathSync(candidate);
    if (real.endsWith('.js') || real.endsWith('.cjs')) return real;
  }
  throw new Error('cannot find npm-cli.js');
}

/** npm, run by the given node binary with that binary first on PATH (lifecycle scripts use it too). */
function npm(nodeBin, args, options = {}) {
  const env = cleanEnv({ PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}` });
  return run(nodeBin, [npmCli(), ...args], { env, ...options });
}

const output = (result) => `${result.stdout}${result.stderr ? `\n--- stderr ---\n${result.stderr}` : ''}`.trim();

// ---------------------------------------------------------------------------------------------
// setup steps

async function pack() {
  const dest = path.join(work, 'pack');
  fs.mkdirSync(dest);
  // prepack runs the build.
  const result = await npm(process.execPath, ['pack', '--pack-destination', dest], { cwd: repo });
  const tarballs = fs.readdirSync(dest).filter((file) => file.endsWith('.tgz'));
  if (result.code !== 0 || tarballs.length !== 1) throw Object.assign(new Error('npm pack failed'), { output: output(result) });
  return path.join(dest, tarballs[0]);
}

/** Node binary of a line: the machine's, or the npm package `node@<version>` installed under work/. */
async function nodeFor(line) {
  if (!line.node.package) return process.execPath;
  const dir = path.join(work, `node-${line.node.package}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'compat-node', private: true, dependencies: { node: line.node.package } }, null, 2),
  );
  const result = await npm(process.execPath, ['install', ...NPM_FLAGS], { cwd: dir });
  const bin = path.join(dir, 'node_modules', '.bin', 'node');
  if (result.code !== 0 || !fs.existsSync(bin))
    throw Object.assign(new Error(`npm install node@${line.node.package} failed`), { output: output(result) });
  return bin;
}

async function nodeVersion(bin) {
  const result = await run(bin, ['--version'], { timeoutMs: 20_000 });
  return result.stdout.trim();
}

function writePackageJson(dir, name, dependencies) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name, version: '0.0.0', private: true, dependencies }, null, 2)}\n`);
}

/** The version of `name` that Node resolves from `from` (default: the install's root). */
function installedVersion(dir, name, from = dir) {
  const pkg = findPackageJson(name, from);
  return pkg ? JSON.parse(fs.readFileSync(pkg, 'utf8')).version : undefined;
}

function findPackageJson(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json');
    if (fs.existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir) || dir === work) return undefined;
  }
}

/** Every copy of a package anywhere in node_modules: its version, and the package it is nested under ('' at the root). */
function copiesOf(root, name) {
  const found = [];
  const walk = (dir) => {
    const nm = path.join(dir, 'node_modules');
    if (!fs.existsSync(nm)) return;
    const own = path.join(nm, name, 'package.json');
    const under = path
      .relative(root, dir)
      .split(`${path.sep}node_modules${path.sep}`)
      .at(-1)
      .replace(/^node_modules\//, '');
    if (fs.existsSync(own)) found.push({ version: JSON.parse(fs.readFileSync(own, 'utf8')).version, under });
    for (const entry of fs.readdirSync(nm)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) for (const sub of fs.readdirSync(path.join(nm, entry))) walk(path.join(nm, entry, sub));
      else walk(path.join(nm, entry));
    }
  };
  walk(root);
  return found;
}

/** The install of a line: plain `npm install`, which must neither fail nor warn ERESOLVE. */
async function installLine(line, nodeBin, tarball) {
  const dir = path.join(work, line.id);
  writePackageJson(dir, `compat-${line.id}`, { 'opentelemetry-exporter-opper': `file:${tarball}`, ...line.dependencies });
  const t0 = Date.now();
  const install = await npm(nodeBin, ['install', ...NPM_FLAGS], { cwd: dir });
  const problems = [];
  if (install.code !== 0) problems.push(`npm install exited ${install.code}`);
  if (/ERESOLVE/.test(install.stdout + install.stderr)) problems.push('npm reported ERESOLVE');
  let ls;
  if (install.code === 0) {
    ls = await npm(nodeBin, ['ls', '--all'], { cwd: dir });
    if (ls.code !== 0) problems.push('npm ls --all reports an invalid tree');
    const apis = copiesOf(dir, '@opentelemetry/api');
    const atRoot = apis.filter((c) => c.under === '').map((c) => c.version);
    const stray = apis.filter((c) => c.under !== '' && !line.nestedApis?.[c.under]);
    if (atRoot.join() !== line.dependencies['@opentelemetry/api'] || stray.length) {
      const where = apis.map((c) => `${c.version}${c.under ? ` under ${c.under}` : ''}`).join(', ');
      problems.push(`copies of @opentelemetry/api: ${where}; expected one at the root, nested ones only under lines.mjs nestedApis`);
    }
    const exporterDir = path.join(dir, 'node_modules', 'opentelemetry-exporter-opper');
    const core = installedVersion(dir, '@opentelemetry/core', exporterDir);
    if (!core?.startsWith(`${line.coreMajor}.`))
      problems.push(`the exporter resolves @opentelemetry/core ${core}, expected ${line.coreMajor}.x`);
  }
  const versions = Object.fromEntries(Object.keys(line.dependencies).map((name) => [name, installedVersion(dir, name)]));
  versions['(exporter) @opentelemetry/core'] = installedVersion(
    dir,
    '@opentelemetry/core',
    path.join(dir, 'node_modules', 'opentelemetry-exporter-opper'),
  );
  versions['(sdk-node) @opentelemetry/sdk-trace'] = installedVersion(
    dir,
    '@opentelemetry/sdk-trace',
    path.join(dir, 'node_modules', '@opentelemetry', 'sdk-node'),
  );
  record({
    line: line.id,
    name: 'install',
    status: problems.length ? 'fail' : 'pass',
    ms: Date.now() - t0,
    detail: problems.length
      ? problems.join('; ')
      : `npm install: no ERESOLVE, npm ls clean, ${line.nestedApis ? `one @opentelemetry/api (+ nested under ${Object.keys(line.nestedApis).join(', ')})` : 'one @opentelemetry/api'}, exporter on core ${versions['(exporter) @opentelemetry/core']}`,
    output: problems.length ? [output(install), ls ? output(ls) : ''].join('\n') : undefined,
  });
  return { dir, ok: problems.length === 0, versions };
}

/** Only the exporter and the line's API: our dependency range must pick the line's core. */
async function installMinimal(line, nodeBin, tarball) {
  const dir = path.join(work, `${line.id}-minimal`);
  writePackageJson(dir, `compat-${line.id}-minimal`, { 'opentelemetry-exporter-opper': `file:${tarball}`, ...line.minimal });
  const t0 = Date.now();
  const install = await npm(nodeBin, ['install', ...NPM_FLAGS], { cwd: dir });
  const problems = [];
  if (install.code !== 0) problems.push(`npm install exited ${install.code}`);
  if (/ERESOLVE/.test(install.stdout + install.stderr)) problems.push('npm reported ERESOLVE');
  let ls;
  let smoke;
  const core = installedVersion(dir, '@opentelemetry/core', path.join(dir, 'node_modules', 'opentelemetry-exporter-opper'));
  if (install.code === 0) {
    ls = await npm(nodeBin, ['ls', '--all'], { cwd: dir });
    if (ls.code !== 0) problems.push('npm ls --all reports an invalid tree');
    if (!core?.startsWith(`${line.coreMajor}.`))
      problems.push(`the exporter got @opentelemetry/core ${core}, expected ${line.coreMajor}.x`);
    // Both ways in: import and require(esm).
    const script =
      "import('opentelemetry-exporter-opper').then((m) => { const r = require('opentelemetry-exporter-opper');" +
      " if (m.OpperSpanExporter !== r.OpperSpanExporter) throw new Error('import and require give different classes');" +
      " new r.OpperSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v2' }); console.log('loaded'); })";
    smoke = await run(nodeBin, ['-e', script], { cwd: dir, timeoutMs: 30_000 });
    if (smoke.code !== 0 || !smoke.stdout.includes('loaded')) problems.push('import/require of the package failed');
    // The OTLP bridge from the installed package: its entry point, protobufjs, grpc-js, and the
    // bin npm linked.
    const bridgeScript =
      "import('opentelemetry-exporter-opper/bridge').then(async ({ startOtlpBridge }) => {" +
      " const bridge = await startOtlpBridge({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v2', port: 0, grpcPort: 0, logger: { log() {} } });" +
      " await bridge.close(); console.log('bridge ' + (bridge.grpcUrl ? 'http+grpc' : 'http')); })";
    const bridge = await run(nodeBin, ['-e', bridgeScript], { cwd: dir, timeoutMs: 30_000 });
    const bin = await run(nodeBin, [path.join(dir, 'node_modules', '.bin', 'opper-otlp-bridge'), '--help'], {
      cwd: dir,
      timeoutMs: 30_000,
    });
    if (bridge.code !== 0 || !bridge.stdout.includes('bridge http+grpc'))
      problems.push('the OTLP bridge did not start from the installed package');
    if (bin.code !== 0 || !bin.stdout.includes('opper-otlp-bridge')) problems.push('the opper-otlp-bridge bin did not run');
    smoke = {
      code: smoke.code,
      stdout: [smoke.stdout, bridge.stdout, bin.stdout].join('\n'),
      stderr: [smoke.stderr, bridge.stderr, bin.stderr].join('\n'),
    };
  }
  record({
    line: line.id,
    name: 'install (api only)',
    status: problems.length ? 'fail' : 'pass',
    ms: Date.now() - t0,
    detail: problems.length
      ? problems.join('; ')
      : `exporter + ${Object.entries(line.minimal)
          .map(([n, v]) => `${n}@${v}`)
          .join(' ')}: core ${core}, import = require(), bridge and its bin start`,
    output: problems.length ? [output(install), ls ? output(ls) : '', smoke ? output(smoke) : ''].join('\n') : undefined,
  });
}

async function typecheck(line, lineDir) {
  const dir = path.join(lineDir, 'apps', 'typescript');
  fs.cpSync(path.join(examples, 'typescript'), dir, { recursive: true });
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const t0 = Date.now();
  const result = await run(process.execPath, [tsc, '-p', line.tsconfig], { cwd: dir, timeoutMs: 120_000 });
  const version = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  record({
    line: line.id,
    name: 'typecheck',
    status: result.code === 0 ? 'pass' : 'fail',
    ms: Date.now() - t0,
    detail: `tsc ${version} --noEmit (nodenext, strict, skipLibCheck false): examples/typescript/${line.tsconfig}`,
    output: result.code === 0 ? undefined : output(result),
  });
}

// ---------------------------------------------------------------------------------------------
// running an app

/** A downstream service for the apps' outgoing calls; records each request's headers. */
async function startDownstream() {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from downstream');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/greeting`,
    port: server.address().port,
    requests,
    close: () => new Promise((r) => server.close(r)),
  };
}

function httpGet(url, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function runApp(line, app, nodeBin, lineDir, { startLocalOpper, ids }) {
  const dir = path.join(lineDir, 'apps', app.id);
  fs.mkdirSync(dir, { recursive: true });
  for (const file of app.files(line)) fs.copyFileSync(path.join(examples, file), path.join(dir, path.basename(file)));
  for (const [from, to] of [
    ['probe-core.cjs', 'compat-probe-core.cjs'],
    ['probe.mjs', 'compat-probe.mjs'],
    ['probe.cjs', 'compat-probe.cjs'],
  ]) {
    fs.copyFileSync(path.join(probeDir, from), path.join(dir, to));
  }
  const probeFile = path.join(dir, 'probe.jsonl');
  fs.rmSync(probeFile, { force: true });
  const opper = await startLocalOpper();
  const downstream = await startDownstream();
  const args = app.args(line);
  const t0 = Date.now();
  const log = { stdout: '', stderr: '' };
  const problems = [];
  let exit;
  try {
    const env = cleanEnv({
      PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
      OPPER_BASE_URL: opper.url,
      OPPER_API_KEY: opper.apiKey,
      DOWNSTREAM_URL: downstream.url,
      PORT: '0',
      COMPAT_PROBE_FILE: probeFile,
    });
    const child = spawn(nodeBin, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    child.stderr.on('data', (chunk) => (log.stderr += chunk));
    const listening = new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        log.stdout += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(log.stdout);
        if (match) resolve(match[1]);
      });
      exited.then(({ code, signal }) => reject(new Error(`the app exited (${code ?? signal}) before listening`)));
      setTimeout(() => reject(new Error('the app did not print "listening on" within 30 s')), 30_000).unref();
    });
    try {
      const base = await listening;
      const response = await httpGet(`${base}/hello`);
      if (response.status !== 200 || !response.body.includes('hello from downstream')) {
        problems.push(`GET /hello answered ${response.status}: ${response.body.slice(0, 200)}`);
      }
    } catch (error) {
      problems.push(error.message);
    }
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    exit = await exited;
    clearTimeout(killer);
    if (exit.code !== 0)
      problems.push(`the app exited with ${exit.code ?? exit.signal} after SIGTERM (expected 0 after the SDK's shutdown)`);
    const records = fs.existsSync(probeFile)
      ? fs
          .readFileSync(probeFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
    const checked = checkApp({ app, records, opper, downstream, ids });
    problems.push(...checked.problems);
    return { problems, summary: checked.summary, ms: Date.now() - t0, log, args };
  } finally {
    await opper.close();
    await downstream.close();
  }
}

// ---------------------------------------------------------------------------------------------
// one line, start to end

async function runLine(line, tarballPromise, helpersPromise) {
  for (const skip of SKIPS.filter((s) => s.line === line.id))
    record({ line: line.id, name: skip.name, status: 'skip', detail: skip.reason });
  const fail = (name, error) => record({ line: line.id, name, status: 'fail', detail: error.message, output: error.output ?? error.stack });
  let nodeBin;
  const t0 = Date.now();
  try {
    nodeBin = await nodeFor(line);
    const version = await nodeVersion(nodeBin);
    if (!version.startsWith(`v${line.node.major}.`))
      throw new Error(`${nodeBin} is ${version || 'not runnable'}, expected Node ${line.node.major}`);
    line.nodeVersion = version;
    record({
      line: line.id,
      name: 'node',
      status: 'pass',
      ms: Date.now() - t0,
      detail: `${version}${line.node.package ? ` (npm package node@${line.node.package})` : ' (this machine)'}`,
    });
  } catch (error) {
    fail('node', error);
    for (const name of ['install', 'install (api only)', 'typecheck', ...APPS.map((app) => `app ${app.id}`)]) {
      record({ line: line.id, name, status: 'fail', detail: `not run: no Node ${line.node.major}` });
    }
    return;
  }
  let tarball;
  try {
    tarball = await tarballPromise;
  } catch {
    return; // reported once, by main()
  }
  const minimal = installMinimal(line, nodeBin, tarball).catch((error) => fail('install (api only)', error));
  // Mastra and Next.js (own installs, see lines.mjs): installed alongside, run after the line's apps.
  const stepCtx = { work, repo, record, npm, run, cleanEnv, output, writePackageJson, installedVersion, NPM_FLAGS };
  const mastraDir =
    line.id === MASTRA.line ? installMastra(line, nodeBin, tarball, stepCtx).catch((error) => fail('install (mastra)', error)) : undefined;
  const mastra = async () => {
    const dir = await mastraDir;
    if (dir) await runMastraApp(line, nodeBin, dir, { ...stepCtx, ...(await helpersPromise) }).catch((error) => fail('app mastra', error));
  };
  const nextDir =
    line.id === NEXTJS.line ? installNext(line, nodeBin, tarball, stepCtx).catch((error) => fail('install (nextjs)', error)) : undefined;
  const nextjs = async () => {
    const dir = await nextDir;
    const helpers = { ...stepCtx, startDownstream, httpGet, ...(await helpersPromise) };
    if (dir) await runNextApp(line, nodeBin, dir, helpers).catch((error) => fail('app nextjs', error));
  };
  const install = await installLine(line, nodeBin, tarball).catch((error) => {
    fail('install', error);
    return undefined;
  });
  line.versions = install?.versions;
  if (!install?.ok) {
    for (const name of ['typecheck', ...APPS.map((app) => `app ${app.id}`)]) {
      record({ line: line.id, name, status: 'fail', detail: 'not run: the install failed' });
    }
    await Promise.all([minimal, mastra(), nextjs()]);
    return;
  }
  const helpers = await helpersPromise;
  const typechecked = typecheck(line, install.dir).catch((error) => fail('typecheck', error));
  for (const app of APPS) {
    const name = `app ${app.id}`;
    try {
      const result = await runApp(line, app, nodeBin, install.dir, helpers);
      record({
        line: line.id,
        name,
        status: result.problems.length ? 'fail' : 'pass',
        ms: result.ms,
        detail: result.problems.length ? result.problems.join('; ') : result.summary,
        output: result.problems.length
          ? `$ cd ${path.join(install.dir, 'apps', app.id)} && ${nodeBin} ${result.args.join(' ')}\n--- stdout ---\n${result.log.stdout}\n--- stderr ---\n${result.log.stderr}`
          : undefined,
        app,
      });
    } catch (error) {
      fail(name, error);
    }
  }
  if (line.dependencies['@ai-sdk/otel']) {
    await runAiSdk7(line, nodeBin, install.dir, { repo, probeDir, record, run, cleanEnv, ...helpers }).catch((error) =>
      fail('ai-sdk-7', error),
    );
  }
  // Beside the README's runs (each mostly waits on its child process), so as not to add to the suite's time.
  const runtimes =
    line.id === RUNTIMES.line
      ? runRuntimes(line, install.dir, { repo, probeDir, record, run, cleanEnv, startDownstream, httpGet, ...helpers }).catch((error) =>
          fail('runtimes', error),
        )
      : undefined;
  try {
    await runReadme(line, nodeBin, install.dir, { repo, probeDir, record, run, cleanEnv, startDownstream, httpGet, ...helpers });
  } catch (error) {
    fail('readme', error);
  }
  await runtimes;
  await mastra();
  await nextjs();
  await Promise.all([minimal, typechecked]);
}

// ---------------------------------------------------------------------------------------------

function assertIsolated(dir) {
  // Node resolves packages up the directory tree: a node_modules above the apps would leak in.
  for (let up = path.dirname(dir); ; up = path.dirname(up)) {
    if (fs.existsSync(path.join(up, 'node_modules'))) {
      throw new Error(`${up}/node_modules exists: the throwaway apps would resolve packages from it; set TMPDIR elsewhere`);
    }
    if (up === path.dirname(up)) break;
  }
}

/** Table order: by line, then setup steps, typecheck, apps and skips in a fixed order. */
function sortedResults() {
  const lineOrder = ['all', ...LINES.map((l) => l.id)];
  const checkOrder = ['npm pack', 'node', 'install', 'install (api only)', 'typecheck', ...APPS.map((a) => `app ${a.id}`)];
  const rank = (r) => [lineOrder.indexOf(r.line), r.status === 'skip' ? 99 : checkOrder.indexOf(r.name) + 1 || 50];
  return [...results].sort((a, b) => {
    const [la, ca] = rank(a);
    const [lb, cb] = rank(b);
    return la - lb || ca - cb;
  });
}

function printTable() {
  const rows = [['line', 'node', 'check', 'module', 'setup', 'result', 'time']];
  for (const r of sortedResults()) {
    const line = LINES.find((l) => l.id === r.line);
    rows.push([
      r.line,
      line?.nodeVersion ?? '',
      r.name,
      r.app ? `${r.app.module} (${r.app.preload(line)})` : '',
      r.app ? `${r.app.setup(line)}, ${r.app.server}` : '',
      r.status.toUpperCase(),
      seconds(r.ms),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const fmt = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${fmt(rows[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows.slice(1)) console.log(fmt(row));
  for (const line of LINES) {
    if (!line.versions) continue;
    console.log(
      `\n${line.id} (${line.title}), installed: ${Object.entries(line.versions)
        .map(([n, v]) => `${n} ${v ?? '-'}`)
        .join(', ')}`,
    );
  }
}

async function main() {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'opper-compat-'));
  assertIsolated(work);
  console.log(`compat: work dir ${work}`);
  const deadline = setTimeout(() => {
    console.error(`\ncompat: the suite ran longer than ${SUITE_DEADLINE_MS / 60_000} minutes; stopping`);
    printTable();
    console.log(
      `\n${results.filter((r) => r.status === 'pass').length} passed, ${results.filter((r) => r.status === 'fail').length + 1} failed`,
    );
    process.exit(1);
  }, SUITE_DEADLINE_MS);
  deadline.unref();

  const t0 = Date.now();
  const tarballPromise = pack();
  tarballPromise.then(
    (tarball) => record({ line: 'all', name: 'npm pack', status: 'pass', ms: Date.now() - t0, detail: path.basename(tarball) }),
    (error) => record({ line: 'all', name: 'npm pack', status: 'fail', ms: Date.now() - t0, detail: error.message, output: error.output }),
  );
  // The runner's own local Opper and id mapping come from this repo's build, after the pack built it.
  const helpersPromise = tarballPromise.then(async () => {
    const testing = await import(pathToFileURL(path.join(repo, 'dist', 'testing', 'index.js')).href);
    const ids = await import(pathToFileURL(path.join(repo, 'dist', 'translate', 'ids.js')).href);
    return { startLocalOpper: testing.startLocalOpper, ids };
  });
  helpersPromise.catch(() => {});
  await Promise.all(LINES.map((line) => runLine(line, tarballPromise, helpersPromise)));

  printTable();
  const failed = sortedResults().filter((r) => r.status === 'fail');
  for (const r of failed) {
    console.log(`\n==== FAILED: ${r.line} ${r.name}: ${r.detail}`);
    if (r.output) console.log(r.output.length > 20_000 ? `${r.output.slice(0, 10_000)}\n[...]\n${r.output.slice(-10_000)}` : r.output);
  }
  const skipped = results.filter((r) => r.status === 'skip');
  for (const r of skipped) console.log(`\nskipped: ${r.line} ${r.name}: ${r.detail}`);
  const keep = failed.length > 0 || process.env.COMPAT_KEEP === '1';
  if (keep) console.log(`\ncompat: kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
  console.log(`\ncompat: ${((Date.now() - started) / 1000).toFixed(1)} s in all; ${skipped.length} skipped`);
  console.log(`${results.filter((r) => r.status === 'pass').length} passed, ${failed.length} failed`);
  process.exitCode = failed.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  });
}

export { runApp, cleanEnv, startDownstream, httpGet };
