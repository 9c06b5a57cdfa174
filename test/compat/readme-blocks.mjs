// Reads the fenced code blocks of a Markdown file into the examples the README test runs
// (conventions: /work/notes/readme-conventions.md, summarised in test/compat/readme.mjs).
// Pure: no I/O, so the unit test (test/readme.test.ts) and the compat suite share it.

const FILE = /^\/\/ file: (\S+)(?: \(OpenTelemetry JS ([23])\.x\))?$/;
const NOT_RUN = /^(?:\/\/|#) not run: (.{10,})$/;
const LINE_ONLY = /^# OpenTelemetry JS ([23])\.x\b/;
const SHOWN = new Set(['text']);
const MAX_PROSE = 100;
const PACKAGE_BIN = 'opentelemetry-exporter-opper';

/** Every fenced block with the heading it sits under, and the prose lines that are too long. */
export function readBlocks(markdown) {
  const blocks = [];
  const longLines = [];
  let heading = '';
  let open;
  markdown.split('\n').forEach((line, index) => {
    const fence = /^```(\S*)/.exec(line);
    if (open) {
      if (line.startsWith('```')) {
        blocks.push({ ...open, text: open.lines.join('\n') });
        open = undefined;
      } else open.lines.push(line);
      return;
    }
    if (fence) {
      open = { lang: fence[1], heading, line: index + 1, lines: [] };
      return;
    }
    const title = /^#{1,4} (.+)/.exec(line);
    if (title) heading = title[1];
    else if (line.length > MAX_PROSE && !line.startsWith('|')) longLines.push(index + 1);
  });
  if (open) blocks.push({ ...open, text: open.lines.join('\n'), unclosed: true });
  return { blocks, longLines };
}

/** Joins `\` continuations; drops comments and blank lines. */
function commandLines(text) {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** `@scope/name@1.2` -> `@scope/name`, with the version asked for. */
function packageSpec(spec) {
  const at = spec.indexOf('@', 1);
  return at < 0 ? { name: spec, version: undefined } : { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** The packages a file imports (import/require/dynamic import, and module.register hooks). */
export function importedPackages(source) {
  const found = new Set();
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
    /\brequire\(\s*['"]([^'"]+)['"]/g,
    /\bregister\(\s*['"]([^'"]+)['"]/g,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
  ];
  for (const pattern of patterns) {
    for (const [, specifier] of source.matchAll(pattern)) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/')) continue;
      const parts = specifier.split('/');
      found.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return [...found];
}

/**
 * Groups the blocks of one document into examples (the blocks under one heading). Returns
 * `{ examples, skipped, problems }`; a block the test would neither run nor explain is a problem.
 */
export function planExamples(document, markdown) {
  const { blocks, longLines } = readBlocks(markdown);
  const problems = longLines.map((line) => `${document}:${line}: prose line over ${MAX_PROSE} characters`);
  const skipped = [];
  const byHeading = new Map();
  const exampleOf = (block) => {
    const id = `${document}: ${block.heading || '(top)'}`;
    if (!byHeading.has(id)) byHeading.set(id, { id, files: [], installs: [], commands: [], typeModule: false });
    return byHeading.get(id);
  };
  for (const block of blocks) {
    const where = `${document}:${block.line}`;
    const first = block.lines[0] ?? '';
    if (block.unclosed) problems.push(`${where}: the block is never closed`);
    if (SHOWN.has(block.lang)) continue;
    const notRun = NOT_RUN.exec(first);
    if (notRun) {
      skipped.push({ where, heading: block.heading, reason: notRun[1] });
      continue;
    }
    const file = FILE.exec(first);
    if (file && ['js', 'ts', 'javascript', 'typescript'].includes(block.lang)) {
      exampleOf(block).files.push({ name: file[1], source: block.text, only: file[2] && `otel${file[2]}`, where });
      continue;
    }
    if (block.lang === 'sh' || block.lang === 'bash') {
      const example = exampleOf(block);
      const only = LINE_ONLY.exec(first)?.[1];
      for (const command of commandLines(block.text)) {
        const words = command.split(/\s+/);
        if (words[0] === 'npm' && ['install', 'i'].includes(words[1])) {
          const packages = words
            .slice(2)
            .filter((w) => !w.startsWith('-'))
            .map(packageSpec);
          example.installs.push({ packages, only: only && `otel${only}`, where });
        } else if (command === 'npm pkg set type=module') example.typeModule = true;
        else if (words[0] === 'node') example.commands.push({ args: words.slice(1), only: only && `otel${only}`, where });
        // The package's own command, as a user runs it after the install: run from the install.
        else if (words[0] === 'npx' && words[1] === PACKAGE_BIN)
          example.commands.push({ bin: PACKAGE_BIN, args: words.slice(2), only: only && `otel${only}`, where });
        else if (!/^(export [A-Z_][A-Z0-9_]*=\S*|curl .+)$/.test(command)) {
          problems.push(`${where}: "${command}" is not a command the README test runs; mark the block "# not run: why"`);
        }
      }
      continue;
    }
    problems.push(`${where}: a ${block.lang || 'plain'} block without "// file: NAME" or a "not run: why" marker`);
  }
  const examples = [...byHeading.values()];
  for (const example of examples) {
    if (example.files.length && !example.commands.some((c) => !c.bin) && !example.files.every((f) => /\.[cm]?ts$/.test(f.name))) {
      problems.push(`${example.id}: files but no "node ..." command to run them`);
    }
    if (example.files.length && !example.installs.length) {
      problems.push(`${example.id}: no "npm install" line for the packages its files import`);
    }
  }
  return { examples, skipped, problems };
}
