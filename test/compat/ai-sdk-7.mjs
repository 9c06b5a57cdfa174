// The Vercel AI SDK 7 check of the compat suite, on the line whose install holds `@ai-sdk/otel`
// (Node 24: AI SDK 7 requires Node >= 22). Runs test/compat/ai-sdk-7/app.mjs there, as a user
// runs it, against the loopback OpenAI stub and a fresh local Opper, then checks what Opper
// stored: every span delivered once (the probe), and for generateText with a tool (two steps),
// streamText and embed: type, input, output, model, usage, the parent tree, and Opper's token
// total counting each model call once (the invoke_agent/embeddings operation spans keep their
// roll-up only under opper.aggregate.*); and one generateText through LegacyOpenTelemetry (the
// AI SDK 6 `ai.*` spans). One row per scenario.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkDelivery } from './checks.mjs';

const APP_MS = 60_000;

/** Runs the app and records its rows; `ctx` is the runner's (record, run, cleanEnv, startLocalOpper, ids). */
export async function runAiSdk7(line, nodeBin, lineDir, ctx) {
  const { repo, probeDir, record, run, cleanEnv, startLocalOpper, ids } = ctx;
  const dir = path.join(lineDir, 'apps', 'ai-sdk-7');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(fileURLToPath(new URL('./ai-sdk-7/app.mjs', import.meta.url)), path.join(dir, 'app.mjs'));
  for (const [from, to] of [
    ['probe-core.cjs', 'compat-probe-core.cjs'],
    ['probe.mjs', 'compat-probe.mjs'],
  ]) {
    fs.copyFileSync(path.join(probeDir, from), path.join(dir, to));
  }
  const probeFile = path.join(dir, 'probe.jsonl');
  fs.rmSync(probeFile, { force: true });
  const stubs = await import(pathToFileURL(path.join(repo, 'examples', 'openai-stub.mjs')).href);
  const [opper, model] = await Promise.all([startLocalOpper(), stubs.startOpenAIStub()]);
  const t0 = Date.now();
  const versions = ['ai', '@ai-sdk/otel', '@ai-sdk/openai'].map((name) => `${name} ${line.dependencies[name]}`).join(', ');
  const row = (name, problems, detail) =>
    record({
      line: line.id,
      name: `ai-sdk-7 ${name}`,
      status: problems.length ? 'fail' : 'pass',
      ms: Date.now() - t0,
      detail: problems.length ? problems.join('; ') : detail,
      output: problems.length ? log : undefined,
    });
  let log = '';
  try {
    const env = cleanEnv({
      PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
      OPPER_BASE_URL: opper.url,
      OPPER_API_KEY: opper.apiKey,
      OPENAI_BASE_URL: model.baseURL,
      COMPAT_PROBE_FILE: probeFile,
    });
    const result = await run(nodeBin, ['--import', './compat-probe.mjs', 'app.mjs'], { cwd: dir, env, timeoutMs: APP_MS });
    log = `$ cd ${dir} && node --import ./compat-probe.mjs app.mjs\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
    const problems = result.code === 0 ? [] : [`the app exited with ${result.code}`];
    let scenarios = {};
    try {
      scenarios = JSON.parse(result.stdout.trim().split('\n').at(-1)).scenarios;
    } catch {
      problems.push('the app printed no JSON line');
    }
    const records = fs.existsSync(probeFile)
      ? fs
          .readFileSync(probeFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
    const delivery = checkDelivery({ records, opper, ids });
    problems.push(...delivery.problems);
    if (/Error|OpperExporterWarning/.test(result.stderr)) problems.push(`stderr: ${result.stderr.trim().split('\n')[0]}`);
    if (opper.violations.length) problems.push(`Opper API violations: ${JSON.stringify(opper.violations.slice(0, 3))}`);
    row('delivery', problems, `${versions}: ${delivery.byId.size} spans, each stored once, parents linked, no violation`);
    const view = (name) => traceView(opper, ids, scenarios[name]);
    const checks = [
      ['generateText+tool', 'tools', checkTools],
      ['streamText', 'stream', checkStream],
      ['embed', 'embed', checkEmbed],
      ['legacy', 'legacy', checkLegacy],
    ];
    for (const [name, scenario, check] of checks) {
      const found = [];
      const spans = problems.length === 0 ? view(scenario) : undefined;
      if (spans) check(spans, stubs, (message) => found.push(message));
      else found.push('not checked: the run or its delivery failed');
      row(name, found, spans ? summary(spans) : '');
    }
  } finally {
    await Promise.all([opper.close(), model.close()]);
  }
}

/** One scenario's trace as Opper stores it: its spans (by name, in start order) and helpers. */
function traceView(opper, ids, otelTraceId) {
  if (!otelTraceId) return undefined;
  const traceId = ids.toOpperTraceId(otelTraceId);
  const spans = [...opper.spans.values()].filter((s) => s.trace_id === traceId).sort((a, b) => a.start_time.localeCompare(b.start_time));
  const root = spans.find((s) => s.parent_id === null);
  const named = (prefix) => spans.filter((s) => s.name.startsWith(prefix));
  const parentOf = (span) => spans.find((s) => s.id === span.parent_id);
  return { spans, root, named, parentOf, total: opper.trace(traceId)?.total_tokens };
}

const summary = ({ spans, total }) => `${spans.map((s) => `${s.name}: ${s.type}`).join(', ')}; trace tokens ${total}`;
const json = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
/** The text parts of a GenAI message list, per message: [{role, text, parts}]. */
const messages = (text) => (json(text) ?? []).map((m) => ({ role: m.role, text: JSON.stringify(m.parts ?? []), parts: m.parts ?? [] }));

/** Expects `actual` to equal `expected` (JSON-compared); reports `what` otherwise. */
function same(fail, what, actual, expected) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) fail(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

function contains(fail, what, text, part) {
  if (typeof text !== 'string' || !text.includes(part))
    fail(`${what} does not contain ${JSON.stringify(part)}: ${JSON.stringify(text)?.slice(0, 300)}`);
}

/** The usage keys of a model call span, and none of them under opper.aggregate.*. */
function expectCallUsage(fail, what, meta, usage) {
  same(fail, `${what} usage`, pick(meta, 'gen_ai.usage.'), usage);
  same(fail, `${what} aggregate usage`, pick(meta, 'opper.aggregate.'), {});
}

/** An operation span: no gen_ai.usage.* of its own (its children report it), its roll-up under opper.aggregate.*. */
function expectAggregate(fail, what, meta, aggregate) {
  same(fail, `${what} usage`, pick(meta, 'gen_ai.usage.'), {});
  same(fail, `${what} aggregate usage`, pick(meta, 'opper.aggregate.gen_ai.usage.'), aggregate);
}

const pick = (meta, prefix) => Object.fromEntries(Object.entries(meta ?? {}).filter(([key]) => key.startsWith(prefix)));

const chatUsage = (u, times = 1) => ({
  'gen_ai.usage.input_tokens': u.input * times,
  'gen_ai.usage.output_tokens': u.output * times,
  'gen_ai.usage.cache_read.input_tokens': u.cached * times,
  'gen_ai.usage.reasoning.output_tokens': u.reasoning * times,
});
const aggregated = (usage) => Object.fromEntries(Object.entries(usage).map(([key, value]) => [`opper.aggregate.${key}`, value]));

/** generateText with a tool: invoke_agent > step 1 > (chat, execute_tool), step 2 > chat. */
function checkTools({ root, named, parentOf, total }, { STUB_CHAT_USAGE: u }, fail) {
  const [agent] = named('invoke_agent ');
  const steps = named('step ');
  const chats = named('chat ');
  const [toolSpan] = named('execute_tool ');
  same(
    fail,
    'span names',
    [agent?.name, steps.map((s) => s.name), chats.length, toolSpan?.name],
    ['invoke_agent gpt-4o-mini', ['step 1', 'step 2'], 2, 'execute_tool get_weather'],
  );
  if (!agent || steps.length !== 2 || chats.length !== 2 || !toolSpan) return;
  // The tree: the operation under the app's root span, each step under it, calls and tools under their step.
  same(
    fail,
    'parents',
    [parentOf(agent)?.id, ...steps.map((s) => parentOf(s)?.id), parentOf(chats[0])?.id, parentOf(toolSpan)?.id, parentOf(chats[1])?.id],
    [root.id, agent.id, agent.id, steps[0].id, steps[0].id, steps[1].id],
  );
  same(
    fail,
    'types',
    [agent.type, ...steps.map((s) => s.type), ...chats.map((c) => c.type), toolSpan.type],
    ['agent', 'internal', 'internal', 'llm', 'llm', 'tool'],
  );

  const asked = messages(agent.input);
  same(
    fail,
    'invoke_agent input roles',
    asked.map((m) => m.role),
    ['system', 'user'],
  );
  contains(fail, 'invoke_agent input', asked[0]?.text, 'You are a terse weather assistant.');
  contains(fail, 'invoke_agent input', asked[1]?.text, 'What is the weather in Stockholm?');
  contains(fail, 'invoke_agent output', agent.output, 'The tool said:');
  same(
    fail,
    'invoke_agent model, agent name',
    [agent.meta['gen_ai.request.model'], agent.meta['gen_ai.agent.name']],
    ['gpt-4o-mini', 'weather-agent'],
  );
  expectAggregate(fail, 'invoke_agent', agent.meta, aggregated(chatUsage(u, 2)));

  const [ask, answer] = chats;
  same(
    fail,
    'first chat input roles',
    messages(ask.input).map((m) => m.role),
    ['system', 'user'],
  );
  const call = messages(ask.output)[0]?.parts.find((p) => p.type === 'tool_call');
  same(fail, 'first chat output tool call', [call?.name, call?.arguments], ['get_weather', { city: 'Stockholm' }]);
  const history = messages(answer.input);
  same(
    fail,
    'second chat input roles',
    history.map((m) => m.role),
    ['system', 'user', 'assistant', 'tool'],
  );
  contains(fail, 'second chat input (tool result)', history[3]?.text, 'sunny, 21 C');
  contains(fail, 'second chat output', answer.output, 'The tool said:');
  for (const [index, chat] of chats.entries()) {
    same(
      fail,
      `chat ${index + 1} model`,
      [chat.meta['gen_ai.request.model'], chat.meta['gen_ai.response.model'], chat.meta['gen_ai.provider.name']],
      ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'openai'],
    );
    expectCallUsage(fail, `chat ${index + 1}`, chat.meta, chatUsage(u));
  }

  same(fail, 'tool input', json(toolSpan.input), { city: 'Stockholm' });
  same(fail, 'tool output', json(toolSpan.output), { city: 'Stockholm', weather: 'sunny, 21 C' });
  same(fail, 'tool name', toolSpan.meta['gen_ai.tool.name'], 'get_weather');
  for (const step of steps) same(fail, `${step.name} usage keys`, pick(step.meta, 'gen_ai.usage.'), {});
  same(fail, "Opper's trace token total (each model call once)", total, 2 * (u.input + u.output));
}

/** streamText: invoke_agent > step 1 > chat, the streamed answer in output. */
function checkStream({ root, named, parentOf, total }, { STUB_CHAT_USAGE: u }, fail) {
  const [agent] = named('invoke_agent ');
  const [step] = named('step ');
  const [chat] = named('chat ');
  if (!agent || !step || !chat) return fail(`missing spans: ${[agent, step, chat].map((s) => s?.name).join(', ')}`);
  same(fail, 'parents', [parentOf(agent)?.id, parentOf(step)?.id, parentOf(chat)?.id], [root.id, agent.id, step.id]);
  same(fail, 'types', [agent.type, step.type, chat.type], ['agent', 'internal', 'llm']);
  const answer = 'Stub answer to: Name three Swedish islands.';
  for (const span of [agent, chat]) {
    contains(fail, `${span.name} input`, messages(span.input)[0]?.text, 'Name three Swedish islands.');
    same(
      fail,
      `${span.name} output`,
      messages(span.output).map((m) => [m.role, m.parts.map((p) => p.content).join('')]),
      [['assistant', answer]],
    );
  }
  same(
    fail,
    'chat model',
    [chat.meta['gen_ai.request.model'], chat.meta['gen_ai.response.model']],
    ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'],
  );
  expectCallUsage(fail, 'chat', chat.meta, chatUsage(u));
  expectAggregate(fail, 'invoke_agent', agent.meta, aggregated(chatUsage(u)));
  same(fail, "Opper's trace token total", total, u.input + u.output);
}

/** embed: the operation span and its provider call, both `embeddings {model}`; usage on the call only. */
function checkEmbed({ root, named, parentOf, total }, { STUB_EMBEDDING_TOKENS, STUB_EMBEDDING_DIMENSIONS }, fail) {
  const [operation, call] = named('embeddings ');
  if (!operation || !call) return fail('missing embeddings spans');
  same(fail, 'parents', [parentOf(operation)?.id, parentOf(call)?.id], [root.id, operation.id]);
  for (const span of [operation, call]) {
    const what = span === operation ? 'operation' : 'call';
    same(fail, `${what} type, model`, [span.type, span.meta['gen_ai.request.model']], ['embedding', 'text-embedding-3-small']);
    same(fail, `${what} input`, span.input, 'Stockholm archipelago');
    const vectors = json(span.output);
    const vector = what === 'call' ? vectors?.[0] : vectors;
    same(fail, `${what} output dimensions`, Array.isArray(vector) ? vector.length : vectors, STUB_EMBEDDING_DIMENSIONS);
    for (const key of ['ai.value', 'ai.values', 'ai.embedding', 'ai.embeddings']) if (key in span.meta) fail(`${what} meta repeats ${key}`);
  }
  same(fail, 'call usage', pick(call.meta, 'gen_ai.usage.'), { 'gen_ai.usage.input_tokens': STUB_EMBEDDING_TOKENS });
  same(fail, 'operation usage', pick(operation.meta, 'gen_ai.usage.'), {});
  same(fail, "Opper's trace token total", total, STUB_EMBEDDING_TOKENS);
}

/** LegacyOpenTelemetry: ai.generateText > ai.generateText.doGenerate, as AI SDK 6 wrote them. */
function checkLegacy({ root, named, parentOf, total }, { STUB_CHAT_USAGE: u }, fail) {
  const [outer] = named('ai.generateText').filter((s) => s.name === 'ai.generateText');
  const [call] = named('ai.generateText.doGenerate');
  if (!outer || !call) return fail('missing ai.generateText spans');
  same(fail, 'parents', [parentOf(outer)?.id, parentOf(call)?.id], [root.id, outer.id]);
  same(fail, 'types', [outer.type, call.type], ['agent', 'llm']);
  const answer = 'Stub answer to: What is the capital of Sweden?';
  same(fail, 'outputs', [outer.output, call.output], [answer, answer]);
  contains(fail, 'outer input', outer.input, 'What is the capital of Sweden?');
  same(
    fail,
    'call input roles',
    messages(call.input).map((m) => m.role),
    ['user'],
  );
  same(
    fail,
    'call model',
    [call.meta['gen_ai.request.model'], call.meta['gen_ai.response.model']],
    ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'],
  );
  expectCallUsage(fail, 'call', call.meta, chatUsage(u));
  expectAggregate(fail, 'outer', outer.meta, aggregated(chatUsage(u)));
  same(fail, "Opper's trace token total", total, u.input + u.output);
}
