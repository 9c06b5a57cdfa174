// The compat suite's Mastra step: the README's Mastra block (its app) runs an Agent with one tool,
// one generate() and one stream(), against the OpenAI stub; @mastra/otel-exporter sends the traces
// as OTLP/HTTP protobuf to the opper-otlp-bridge bin of the packed package, which writes them into a
// fresh local Opper. The stored spans are checked: types, input, output, model, usage counted
// once, the parent tree, no contract violations. Its own install (lines.mjs MASTRA says why).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MASTRA } from './lines.mjs';
import { installOwn } from './own-install.mjs';
import { importedPackages, readBlocks } from './readme-blocks.mjs';

const APP_MS = 120_000;
const BRIDGE_START_MS = 30_000;
const TOKEN = 'compat-bridge-token';

/** The README's Mastra app: the first js block under `### Mastra`, and its `npm install` line. */
export function mastraReadmeApp(markdown) {
  const blocks = readBlocks(markdown).blocks.filter((block) => block.heading === 'Mastra');
  const app = blocks.find((block) => block.lang === 'js');
  const install = blocks.find((block) => block.lang === 'sh' && /npm install /.test(block.text));
  if (!app || !install) throw new Error('docs/integrations.md: no js block and npm install line under "## Mastra"');
  const line = install.text.split('\n').find((text) => text.startsWith('npm install '));
  const packages = line
    .split(/\s+/)
    .slice(2)
    .filter((word) => !word.startsWith('-'));
  return { source: app.text, packages };
}

/** The step's own install (own-install.mjs), with the API it got; resolves the dir, or undefined. */
export function installMastra(line, nodeBin, tarball, ctx) {
  return installOwn('mastra', MASTRA.dependencies, line, nodeBin, tarball, ctx, (dir) => ({
    problems: [],
    detail: `@opentelemetry/api ${ctx.installedVersion(dir, '@opentelemetry/api')}`,
  }));
}

/** Runs the README's Mastra app in `dir` against the bridge and a local Opper; records `app mastra`. */
export async function runMastraApp(line, nodeBin, dir, ctx) {
  const { repo, record, run, cleanEnv, output } = ctx;
  const problems = [];
  const t0 = Date.now();
  const readme = mastraReadmeApp(fs.readFileSync(path.join(repo, 'docs', 'integrations.md'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'app.mjs'), `${readme.source}\n`);
  const { startOpenAIStub } = await import(pathToFileURL(path.join(repo, 'examples', 'openai-stub.mjs')).href);
  const opper = await ctx.startLocalOpper();
  const model = await startOpenAIStub();
  const env = cleanEnv({ PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`, OPPER_BRIDGE_TOKEN: TOKEN });
  const bridge = startBridge(nodeBin, dir, { ...env, OPPER_API_KEY: opper.apiKey, OPPER_BASE_URL: opper.url });
  let app;
  try {
    const url = await bridge.listening;
    app = await run(nodeBin, ['app.mjs'], {
      cwd: dir,
      timeoutMs: APP_MS,
      env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: url, OPENAI_BASE_URL: model.baseURL, OPENAI_API_KEY: 'sk-stub' },
    });
    if (app.code !== 0) problems.push(`the app exited with ${app.code}`);
    // The exporter's shutdown waited for the bridge's answers, which come once Opper stored the spans.
    const bridgeExit = await bridge.stop();
    if (bridgeExit !== 0) problems.push(`the bridge exited with ${bridgeExit} after SIGTERM`);
    problems.push(...checkInstallLine(readme, dir));
    const checked = checkSpans(opper, model.requests);
    problems.push(...checked.problems);
    record({
      line: line.id,
      name: 'app mastra',
      status: problems.length ? 'fail' : 'pass',
      ms: Date.now() - t0,
      detail: problems.length ? problems.join('; ') : checked.summary,
      output: problems.length ? `$ cd ${dir} && node app.mjs\n${app ? output(app) : ''}\n--- bridge ---\n${bridge.log()}` : undefined,
    });
  } catch (error) {
    await bridge.stop();
    record({
      line: line.id,
      name: 'app mastra',
      status: 'fail',
      ms: Date.now() - t0,
      detail: error.message,
      output: `${app ? output(app) : ''}\n--- bridge ---\n${bridge.log()}`,
    });
  } finally {
    await Promise.all([opper.close(), model.close()]);
  }
}

/** The packed package's `opper-otlp-bridge` bin on a free port; resolves its OTLP/HTTP URL. */
function startBridge(nodeBin, dir, env) {
  const bin = path.join(dir, 'node_modules', '.bin', 'opper-otlp-bridge');
  const child = spawn(nodeBin, [bin, '--port', '0', '--grpc-port', 'off'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  const listening = new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /"msg":"listening","http":"(http:\/\/[^"]+)"/.exec(stderr);
      if (match) resolve(match[1]);
    });
    exited.then((code) => reject(new Error(`the bridge exited (${code}) before listening`)));
    setTimeout(() => reject(new Error(`the bridge did not log "listening" within ${BRIDGE_START_MS} ms`)), BRIDGE_START_MS).unref();
  });
  listening.catch(() => {});
  const stop = async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  return { listening, stop, log: () => stderr };
}

/** The README's npm install line lists what its app imports, at the versions this step installs. */
function checkInstallLine(readme, dir) {
  const problems = [];
  // `@scope/name@1.2` -> name `@scope/name`, version `1.2`
  const listed = new Map(
    readme.packages.map((spec) =>
      spec.indexOf('@', 1) > 0 ? [spec.slice(0, spec.indexOf('@', 1)), spec.slice(spec.indexOf('@', 1) + 1)] : [spec, undefined],
    ),
  );
  for (const name of importedPackages(readme.source)) {
    if (!listed.has(name)) problems.push(`the README's Mastra app imports ${name}, which its npm install line does not list`);
  }
  for (const [name, wanted] of listed) {
    const pkg = path.join(dir, 'node_modules', name, 'package.json');
    if (!fs.existsSync(pkg)) problems.push(`the README's npm install line lists ${name}, which MASTRA in lines.mjs does not install`);
    else if (wanted && !`${JSON.parse(fs.readFileSync(pkg, 'utf8')).version}.`.startsWith(`${wanted}.`))
      problems.push(`the README asks for ${name}@${wanted}, MASTRA installs another`);
  }
  return problems;
}

const ANSWER = 'The tool said: {"city":"Stockholm","forecast":"sunny, 21 C"}';

/** What Opper must hold after one generate() and one stream() of the README's agent. */
export function checkSpans(opper, modelRequests) {
  const problems = [];
  const spans = [...opper.spans.values()];
  const byId = new Map(spans.map((span) => [span.id, span]));
  const children = (span, type) => spans.filter((s) => s.parent_id === span.id && (!type || s.type === type));
  const expect = (ok, text) => ok || problems.push(text);
  expect(
    opper.violations.length === 0,
    `${opper.violations.length} contract violation(s): ${JSON.stringify(opper.violations.slice(0, 2))}`,
  );
  for (const span of spans) {
    expect(span.end_time !== null, `span ${span.name} has no end_time`);
    expect(span.parent_id === null || byId.has(span.parent_id), `span ${span.name} names a parent Opper does not hold`);
    expect(opper.creates(span.id) === 1, `span ${span.name} was created ${opper.creates(span.id)} times`);
  }
  const roots = spans.filter((span) => span.parent_id === null);
  expect(
    roots.length === 2 && roots.every((r) => r.type === 'agent'),
    `roots: ${roots.map((r) => `${r.type} ${r.name}`).join(', ')}; expected 2 agent runs`,
  );
  const chats = modelRequests.filter((r) => r.path === '/v1/chat/completions');
  expect(
    chats.length === 4 && chats.filter((r) => r.body.stream).length === 2,
    `the stub saw ${chats.length} chat completions (expected 4, 2 streamed)`,
  );
  let llms = 0;
  let tools = 0;
  for (const agent of roots) {
    const input = parse(agent.input);
    expect(
      Array.isArray(input) && input[0]?.role === 'system' && input.at(-1)?.role === 'user',
      `agent input: ${String(agent.input).slice(0, 200)}`,
    );
    expect(agent.output === ANSWER, `agent output: ${String(agent.output).slice(0, 200)}`);
    const trace = opper.trace(agent.trace_id);
    // Two model calls of 21 + 9 tokens each: counted once, not again on the agent or its loop.
    expect(trace?.total_tokens === 60, `trace ${agent.trace_id}: total_tokens ${trace?.total_tokens}, expected 60`);
    const [loop, ...more] = children(agent, 'chain');
    expect(loop && more.length === 0, `agent ${agent.id}: expected one model loop (chain) under it`);
    if (!loop) continue;
    expect(Array.isArray(parse(loop.input)) && typeof loop.output === 'string', `the model loop's input/output are missing`);
    const steps = children(loop, 'chain');
    expect(steps.length === 2, `the model loop has ${steps.length} steps, expected 2`);
    for (const step of steps) {
      expect(Array.isArray(parse(step.input)), `step ${step.id}: no message list as input`);
      for (const llm of children(step, 'llm')) {
        llms += 1;
        const meta = llm.meta ?? {};
        expect(
          meta['gen_ai.request.model'] === 'gpt-4o-mini' && meta['gen_ai.provider.name'] === 'openai',
          `llm ${llm.id}: model ${meta['gen_ai.request.model']} of ${meta['gen_ai.provider.name']}`,
        );
        expect(
          meta['gen_ai.usage.input_tokens'] === 21 && meta['gen_ai.usage.output_tokens'] === 9,
          `llm ${llm.id}: usage ${meta['gen_ai.usage.input_tokens']}/${meta['gen_ai.usage.output_tokens']}`,
        );
        expect(typeof llm.output === 'string' && llm.output.includes('"role":"assistant"'), `llm ${llm.id}: output ${llm.output}`);
      }
      for (const tool of children(step, 'tool')) {
        tools += 1;
        expect(
          tool.name === 'execute_tool weather' && tool.input === '{"city":"Stockholm"}',
          `tool ${tool.id}: ${tool.name} ${tool.input}`,
        );
        expect(typeof tool.output === 'string' && tool.output.includes('sunny'), `tool ${tool.id}: output ${tool.output}`);
      }
    }
    for (const other of [agent, loop, ...steps]) {
      expect(!Object.keys(other.meta ?? {}).some((key) => key.startsWith('gen_ai.usage.')), `${other.type} ${other.name} repeats usage`);
    }
  }
  expect(llms === 4, `${llms} llm spans under the steps, expected 4`);
  expect(tools === 2, `${tools} tool spans under the steps, expected 2`);
  const types = {};
  for (const span of spans) types[span.type] = (types[span.type] ?? 0) + 1;
  const summary =
    `${spans.length} spans via OTLP/HTTP protobuf -> bin opper-otlp-bridge -> Opper, 0 violations: ` +
    `${Object.entries(types)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ')}; 60 tokens per run (2 model calls), usage only on llm spans`;
  return { problems, summary };
}

function parse(text) {
  try {
    return typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
