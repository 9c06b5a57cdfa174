// The README test: every fenced block of README.md, examples/README.md and docs/*.md, run in a
// fresh app of the line's install, as a reader who pastes it would (conventions: readme-blocks.mjs).
//
// - `// file: NAME` blocks are written into the app; `npm pkg set type=module` sets its type
//   (else package.json says "commonjs", as `npm init -y` writes it); every package a file imports
//   must be on the example's `npm install` line and installed on the line.
// - A `node` command that starts app.mjs / app.cjs that no block defines is a service ("your
//   app": examples/http-service/): it gets GET /hello, then SIGTERM in one run and SIGINT in
//   another, and must exit 0 by itself within SIGNAL_EXIT_MS with every span stored (through
//   OpperSpanProcessor: every span the SDK ended, as its block sets spanFilter: 'all').
// - Any other `node` command is a script: exit 0 within SCRIPT_MS, every span stored; run again
//   with a key Opper rejects, it must still exit 0, with the warning that says so on stderr. One
//   that imports `opentelemetry-exporter-opper/testing` runs its own local Opper: only its exit
//   code and its exports are checked.
// - `npx opentelemetry-exporter-opper ARGS` runs the installed package's bin: `check` must exit 0
//   against the fresh local Opper, and 4 (key rejected) with a key Opper rejects.
// - .mts/.cts/.ts files are type-checked: strict, exactOptionalPropertyTypes, nodenext.
// OPPER_API_KEY/OPPER_BASE_URL point at a fresh local Opper; OPENAI_BASE_URL and ANTHROPIC_BASE_URL
// at stubs of those APIs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkApp, checkDelivery } from './checks.mjs';
import { importedPackages, planExamples } from './readme-blocks.mjs';

/** The documents whose blocks run: the READMEs and every page of docs/. */
export function documents(repo) {
  const pages = fs
    .readdirSync(path.join(repo, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort();
  return ['README.md', 'examples/README.md', ...pages.map((page) => `docs/${page}`)];
}
const SIGNAL_EXIT_MS = 5_000;
const SCRIPT_MS = 30_000;
// A second run of each script with a key Opper rejects: it must still exit 0 and say why.
const WRONG_KEY = 'wrong key';

/** Every example of both documents, the skipped blocks and the problems found while reading. */
export function planAll(repo) {
  const plan = { examples: [], skipped: [], problems: [] };
  for (const document of documents(repo)) {
    const one = planExamples(document, fs.readFileSync(path.join(repo, document), 'utf8'));
    plan.examples.push(...one.examples);
    plan.skipped.push(...one.skipped);
    plan.problems.push(...one.problems);
  }
  return plan;
}

const slug = (text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
const forLine = (line) => (item) => !item.only || item.only === line.id;

/** Runs every example on one line; calls `record` once per check. */
export async function runReadme(line, nodeBin, lineDir, ctx) {
  const { repo, record } = ctx;
  const plan = planAll(repo);
  for (const problem of plan.problems) record({ line: line.id, name: 'readme', status: 'fail', detail: problem });
  for (const skip of plan.skipped)
    record({ line: line.id, name: 'readme (not run)', status: 'skip', detail: `${skip.where} (${skip.heading}): ${skip.reason}` });
  const tsFiles = [];
  for (const example of plan.examples) {
    const files = example.files.filter(forLine(line));
    const commands = example.commands.filter(forLine(line));
    const installs = example.installs.filter(forLine(line));
    if (!files.length && !commands.length && !installs.length) continue;
    const dir = path.join(lineDir, 'readme', slug(example.id));
    fs.mkdirSync(dir, { recursive: true });
    const type = example.typeModule ? 'module' : 'commonjs';
    fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: slug(example.id), version: '1.0.0', type }, null, 2)}\n`);
    for (const file of files) fs.writeFileSync(path.join(dir, file.name), `${file.source}\n`);
    const name = `readme ${example.id.replace(/^README\.md: /, '')}`.slice(0, 60);
    const problems = checkInstalls(line, lineDir, files, installs);
    tsFiles.push(...files.filter((f) => /\.[cm]?ts$/.test(f.name)).map((f) => ({ dir, file: f.name })));
    if (!commands.length) {
      record({
        line: line.id,
        name,
        status: problems.length ? 'fail' : 'pass',
        detail: problems.join('; ') || 'packages listed and installed',
      });
      continue;
    }
    for (const command of commands) {
      if (command.bin) {
        for (const wrongKey of [false, true]) {
          const t0 = Date.now();
          const result = await runBin({ nodeBin, lineDir, dir, command, wrongKey, ctx });
          record({
            line: line.id,
            name: `${name} (${command.bin}${wrongKey ? ', wrong key' : ''})`.slice(0, 60),
            status: result.problems.length ? 'fail' : 'pass',
            ms: Date.now() - t0,
            detail: result.problems.join('; ') || result.summary,
            output: result.problems.length ? result.output : undefined,
          });
        }
        continue;
      }
      const script = command.args[scriptIndex(command.args)];
      const defined = files.some((f) => f.name === script);
      const service = !defined && /^app\.[cm]js$/.test(script ?? '');
      if (service) fs.copyFileSync(path.join(repo, 'examples', 'http-service', script), path.join(dir, script));
      const ownOpper = files.some((f) => f.source.includes("'opentelemetry-exporter-opper/testing'"));
      const runs = service ? ['SIGTERM', 'SIGINT'] : ownOpper ? [undefined] : [undefined, WRONG_KEY];
      for (const run of runs) {
        const signal = run === WRONG_KEY ? undefined : run;
        const wrongKey = run === WRONG_KEY;
        const t0 = Date.now();
        const result = await runOne({ nodeBin, dir, command, signal, wrongKey, ownOpper, ctx });
        const all = [...problems, ...result.problems];
        record({
          line: line.id,
          name: run ? `${name} (${run})` : name,
          status: all.length ? 'fail' : 'pass',
          ms: Date.now() - t0,
          detail: all.length ? all.join('; ') : `node ${command.args.join(' ')}: ${result.summary}`,
          output: all.length
            ? `$ cd ${dir} && node ${result.args.join(' ')}\n--- stdout ---\n${result.log.stdout}\n--- stderr ---\n${result.log.stderr}`
            : undefined,
        });
      }
    }
  }
  if (tsFiles.length) await typecheckTs(line, lineDir, tsFiles, ctx);
}

/**
 * The examples of the README (or of docs/) whose heading matches one of `headings`, on this line,
 * run as scripts by `ctx.launcher` (bun, deno: { name, bin, prefix, preload }) instead of node:
 * found by heading wherever they are. Records one check per command, or one failure per heading
 * that matches no runnable example.
 */
export async function runQuickStarts(line, lineDir, ctx, headings) {
  const { record, launcher } = ctx;
  // The README's first, then the docs pages' (an example's id is "FILE: heading").
  const examples = planAll(ctx.repo).examples.sort(
    (a, b) => Number(!a.id.startsWith('README.md: ')) - Number(!b.id.startsWith('README.md: ')),
  );
  for (const heading of headings) {
    const example = examples.find((e) => heading.test(e.id.replace(/^[^:]+: /, '')));
    const files = example?.files.filter(forLine(line)) ?? [];
    const commands = example?.commands.filter(forLine(line)) ?? [];
    const name = `${launcher.name} readme ${heading.source.replace(/[\^$]/g, '')}`.slice(0, 60);
    if (!commands.length) {
      record({
        line: line.id,
        name,
        status: 'fail',
        detail: `neither README.md nor docs/ has a runnable ${line.id} example under a heading matching ${heading}`,
      });
      continue;
    }
    const dir = path.join(lineDir, `readme-${launcher.name}`, slug(example.id));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      `${JSON.stringify({ name: slug(example.id), version: '1.0.0', type: example.typeModule ? 'module' : 'commonjs' }, null, 2)}\n`,
    );
    for (const file of files) fs.writeFileSync(path.join(dir, file.name), `${file.source}\n`);
    for (const command of commands) {
      const t0 = Date.now();
      const result = await runOne({ nodeBin: process.execPath, dir, command, ctx });
      const shown = `${launcher.name} ${[...launcher.prefix, ...command.args].join(' ')}`;
      record({
        line: line.id,
        name,
        status: result.problems.length ? 'fail' : 'pass',
        ms: Date.now() - t0,
        detail: result.problems.length ? result.problems.join('; ') : `${shown}: ${result.summary}`,
        output: result.problems.length
          ? `$ cd ${dir} && ${launcher.bin} ${result.args.join(' ')}\n--- stdout ---\n${result.log.stdout}\n--- stderr ---\n${result.log.stderr}`
          : undefined,
      });
    }
  }
}

/** Each imported package is on the example's npm install line and installed on this line. */
function checkInstalls(line, lineDir, files, installs) {
  const problems = [];
  const listed = new Map(installs.flatMap((i) => i.packages).map((p) => [p.name, p.version]));
  for (const file of files) {
    for (const name of importedPackages(file.source)) {
      if (!listed.has(name)) problems.push(`${file.name} imports ${name}, which the example's npm install line does not list`);
    }
  }
  for (const [name, version] of listed) {
    const pkg = path.join(lineDir, 'node_modules', name, 'package.json');
    if (!fs.existsSync(pkg)) {
      problems.push(`npm install lists ${name}, which this suite's ${line.id} install does not hold (add it to lines.mjs)`);
      continue;
    }
    const installed = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
    if (version && !`${installed}.`.startsWith(`${version.replace(/^[\^~]/, '')}.`)) {
      problems.push(`npm install asks for ${name}@${version}; ${line.id} runs ${installed}`);
    }
  }
  return problems;
}

/** The package's bin, as installed on this line, run against a fresh local Opper. */
async function runBin({ nodeBin, lineDir, dir, command, wrongKey, ctx }) {
  const { cleanEnv, startLocalOpper, run } = ctx;
  const installed = path.join(lineDir, 'node_modules', 'opentelemetry-exporter-opper');
  const bin = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).bin?.[command.bin];
  if (!bin) return { problems: [`the installed package has no bin ${command.bin}`], summary: '', output: '' };
  const opper = await startLocalOpper();
  try {
    const env = cleanEnv({ OPPER_BASE_URL: opper.url, OPPER_API_KEY: wrongKey ? 'sk-rejected-by-opper' : opper.apiKey });
    const result = await run(nodeBin, [path.join(installed, bin), ...command.args], { cwd: dir, env, timeoutMs: 60_000 });
    const expected = command.args[0] === 'check' ? (wrongKey ? 4 : 0) : 0;
    const problems =
      result.code === expected ? [] : [`npx ${command.bin} ${command.args.join(' ')} exited ${result.code}, expected ${expected}`];
    if (!wrongKey && command.args[0] === 'check' && opper.spans.size !== 1)
      problems.push(`${opper.spans.size} span(s) in Opper after check, expected its test span`);
    if (result.stdout.includes(opper.apiKey)) problems.push('the output shows the key');
    return {
      problems,
      summary: `exited ${result.code}: ${result.stdout
        .trim()
        .split('\n')
        .at(-1 - Number(!wrongKey))}`,
      output: `${result.stdout}\n--- stderr ---\n${result.stderr}`,
    };
  } finally {
    await opper.close();
  }
}

/** Where the script is among `node` arguments: the first .js file that is not a flag's value. */
const scriptIndex = (args) => args.findIndex((a, i) => /\.[cm]?js$/.test(a) && !args[i - 1]?.startsWith('-'));

async function runOne({ nodeBin, dir, command, signal, wrongKey, ownOpper, ctx }) {
  const { repo, cleanEnv, startDownstream, httpGet, ids, startLocalOpper } = ctx;
  const cjs = command.args.some((a) => a === '--require' || a === '-r') || command.args.some((a) => a.endsWith('.cjs'));
  for (const [from, to] of [
    ['probe-core.cjs', 'compat-probe-core.cjs'],
    ['probe.mjs', 'compat-probe.mjs'],
    ['probe.cjs', 'compat-probe.cjs'],
  ]) {
    fs.copyFileSync(path.join(ctx.probeDir, from), path.join(dir, to));
  }
  const probeFile = path.join(dir, 'probe.jsonl');
  fs.rmSync(probeFile, { force: true });
  // The probe goes right before the script, after the command's own preloads.
  const script = scriptIndex(command.args);
  // Another runtime (ctx.launcher: bun, deno) preloads the probe with a flag of its own.
  const { launcher } = ctx;
  const preload = launcher?.preload ?? (cjs ? '--require' : '--import');
  const args = [
    ...(launcher?.prefix ?? []),
    ...command.args.slice(0, script),
    preload,
    cjs ? './compat-probe.cjs' : './compat-probe.mjs',
    ...command.args.slice(script),
  ];
  const { startOpenAIStub } = await import(pathToFileURL(path.join(repo, 'examples', 'openai-stub.mjs')).href);
  const { startAnthropicStub } = await import(pathToFileURL(path.join(repo, 'test', 'llm', 'fixtures', 'anthropic-stub.mjs')).href);
  const opper = await startLocalOpper();
  const downstream = await startDownstream();
  const model = await startOpenAIStub();
  const claude = await startAnthropicStub();
  const log = { stdout: '', stderr: '' };
  const problems = [];
  let summary = '';
  try {
    const env = cleanEnv({
      PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
      OPPER_BASE_URL: opper.url,
      OPPER_API_KEY: wrongKey ? 'sk-rejected-by-opper' : opper.apiKey,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'sk-stub',
      ANTHROPIC_BASE_URL: claude.baseURL,
      ANTHROPIC_API_KEY: 'sk-ant-stub',
      DOWNSTREAM_URL: downstream.url,
      PORT: '0',
      COMPAT_PROBE_FILE: probeFile,
    });
    const child = spawn(launcher?.bin ?? nodeBin, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig, at: Date.now() })));
    child.stderr.on('data', (chunk) => (log.stderr += chunk));
    child.stdout.on('data', (chunk) => (log.stdout += chunk));
    if (signal) {
      const base = await new Promise((resolve, reject) => {
        child.stdout.on('data', () => {
          const match = /listening on (http:\/\/\S+)/.exec(log.stdout);
          if (match) resolve(match[1]);
        });
        exited.then(({ code }) => reject(new Error(`the app exited (${code}) before listening`)));
        setTimeout(() => reject(new Error('the app did not print "listening on" within 30 s')), 30_000).unref();
      }).catch((error) => void problems.push(error.message));
      if (base) {
        const response = await httpGet(`${base}/hello`).catch((error) => ({ status: 0, body: error.message }));
        if (response.status !== 200) problems.push(`GET /hello answered ${response.status}: ${response.body.slice(0, 200)}`);
      }
      const sent = Date.now();
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), SIGNAL_EXIT_MS);
      const exit = await exited;
      clearTimeout(killer);
      if (exit.signal === 'SIGKILL') problems.push(`still running ${SIGNAL_EXIT_MS} ms after ${signal}: killed`);
      else if (exit.code !== 0) problems.push(`exited with ${exit.code ?? exit.signal} after ${signal}`);
      summary = `exited ${exit.code} ${((exit.at - sent) / 1000).toFixed(1)} s after ${signal}`;
    } else {
      const killer = setTimeout(() => child.kill('SIGKILL'), SCRIPT_MS);
      const exit = await exited;
      clearTimeout(killer);
      if (exit.signal === 'SIGKILL') problems.push(`still running after ${SCRIPT_MS} ms: killed`);
      else if (exit.code !== 0) problems.push(`exited with ${exit.code ?? exit.signal}`);
      summary = `exited ${exit.code}`;
    }
    if (wrongKey) {
      if (!/OPPER_EXPORTER_KEY_REJECTED/.test(log.stderr)) problems.push('no OPPER_EXPORTER_KEY_REJECTED warning on stderr');
      if (/\n\s+at /.test(log.stderr)) problems.push('a stack trace on stderr');
      return { problems, summary: `${summary}, the warning naming the rejected key printed`, log, args };
    }
    const records = fs.existsSync(probeFile)
      ? fs
          .readFileSync(probeFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
    const checked = signal
      ? checkApp({ app: {}, records, opper, downstream, ids })
      : checkDelivery({ records, opper, ids, stored: !ownOpper });
    problems.push(...checked.problems);
    // Spans handed to an exporter, or ended through an OpperSpanProcessor.
    const spans =
      checked.byId?.size ??
      records.filter((r) => r.type === 'export').flatMap((r) => r.spans).length + records.filter((r) => r.type === 'end').length;
    summary += `, ${spans} span(s) ${ownOpper ? 'exported to its own local Opper' : 'each stored once'}`;
    if (/Error|OpperExporterWarning/.test(log.stderr)) problems.push(`stderr: ${log.stderr.trim().split('\n')[0]}`);
  } finally {
    await Promise.all([opper.close(), downstream.close(), model.close(), claude.close()]);
  }
  return { problems, summary, log, args };
}

/** The TypeScript blocks of this line, checked together as a reader's tsconfig would. */
async function typecheckTs(line, lineDir, tsFiles, { repo, run, record }) {
  const dir = path.join(lineDir, 'readme', 'typescript');
  fs.mkdirSync(dir, { recursive: true });
  const names = tsFiles.map(({ dir: from, file }, i) => {
    const name = `${i}-${file}`;
    fs.copyFileSync(path.join(from, file), path.join(dir, name));
    return name;
  });
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: names }, null, 2));
  const t0 = Date.now();
  const result = await run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  record({
    line: line.id,
    name: 'readme typescript',
    status: result.code === 0 ? 'pass' : 'fail',
    ms: Date.now() - t0,
    detail: `tsc --noEmit, strict + exactOptionalPropertyTypes: ${tsFiles.map((f) => f.file).join(', ')}`,
    output: result.code === 0 ? undefined : `${result.stdout}\n${result.stderr}`,
  });
}
