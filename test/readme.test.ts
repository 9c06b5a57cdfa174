// The README test's reading of the documents (test/compat/readme-blocks.mjs): every block is one
// the compat suite runs, or carries a visible reason why not. The compat suite runs them.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
// @ts-expect-error: a plain ES module of the compat suite, without types
import { planExamples } from './compat/readme-blocks.mjs';

type Plan = { examples: { id: string; commands: unknown[] }[]; skipped: { reason: string }[]; problems: string[] };
const plan = (markdown: string): Plan => planExamples('doc.md', markdown);
const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const DOCS = readdirSync(new URL('../docs/', import.meta.url))
  .filter((file) => file.endsWith('.md'))
  .map((file) => `docs/${file}`);
const DOCUMENTS = ['README.md', 'examples/README.md', ...DOCS];

describe('the README test', () => {
  it.each(DOCUMENTS)('finds nothing in %s it would neither run nor explain', (file) => {
    expect(planExamples(file, read(file)).problems).toEqual([]);
  });

  it('runs the quick starts, the check and the framework parts, wherever they live: services (exporter and processor), scripts', () => {
    const ran = DOCUMENTS.flatMap((file) =>
      (planExamples(file, read(file)) as Plan).examples.filter((e) => e.commands.length).map((e) => e.id),
    );
    expect(ran).toEqual(
      expect.arrayContaining([
        'README.md: Node SDK, ES modules',
        'README.md: Node SDK, CommonJS',
        'README.md: A tracer provider of your own',
        'README.md: Check that it works',
        'docs/integrations.md: An LLM app',
        'docs/processor.md: Live spans: OpperSpanProcessor',
        'docs/integrations.md: LangChain.js',
        'docs/integrations.md: Anthropic',
        'docs/integrations.md: OpenAI Agents',
        'docs/integrations.md: Vercel AI SDK 7',
        'docs/integrations.md: Sentry',
        'docs/reliability.md: Self-observability metrics',
        'docs/testing.md: In your tests',
      ]),
    );
  });

  it('plans `npx opentelemetry-exporter-opper check` as the installed bin', () => {
    const { examples, problems } = plan(
      '## Check\n\n```sh\nnpm install opentelemetry-exporter-opper\nnpx opentelemetry-exporter-opper check\n```\n',
    );
    expect(problems).toEqual([]);
    expect(examples[0]!.commands).toEqual([expect.objectContaining({ bin: 'opentelemetry-exporter-opper', args: ['check'] })]);
  });

  it('fails a block without a file name or a reason, and a prose line over 100 characters', () => {
    const { problems } = plan(`## A\n\n${'x'.repeat(101)}\n\n\`\`\`js\nconsole.log(1);\n\`\`\`\n\n\`\`\`sh\nrm -rf /tmp/x\n\`\`\`\n`);
    expect(problems).toEqual([
      'doc.md:3: prose line over 100 characters',
      'doc.md:5: a js block without "// file: NAME" or a "not run: why" marker',
      'doc.md:9: "rm -rf /tmp/x" is not a command the README test runs; mark the block "# not run: why"',
    ]);
  });

  it('wants every imported package on the npm install line, and a command for the files', () => {
    const { problems } = plan("## A\n\n```js\n// file: a.mjs\nimport 'x';\n```\n");
    expect(problems).toEqual([
      'doc.md: A: files but no "node ..." command to run them',
      'doc.md: A: no "npm install" line for the packages its files import',
    ]);
    const marked = plan('## A\n\n```js\n// not run: needs a real Opper key\nnew Thing();\n```\n');
    expect(marked).toMatchObject({ problems: [], skipped: [{ reason: 'needs a real Opper key' }] });
  });
});

describe('the README a newcomer reads', () => {
  const readme = read('README.md');
  const lines = readme.split('\n');

  it("is at most 350 lines, shows the setup early, and names the repository's two commands", () => {
    expect(lines.length).toBeLessThanOrEqual(350);
    expect(lines.slice(0, 60).join('\n')).toContain('new OpperSpanExporter(');
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
  });

  it('links to at least 6 docs/ pages, and every page it links to exists', () => {
    const linked = [...new Set([...readme.matchAll(/\]\((docs\/[\w-]+\.md)(#[\w-]+)?\)/g)].map((m) => m[1]!))];
    expect(linked.length).toBeGreaterThanOrEqual(6);
    expect(linked.filter((page) => !DOCS.includes(page))).toEqual([]);
  });

  it('lists every warning code the package emits in docs/troubleshooting.md', () => {
    const sources = (dir: string): string[] =>
      readdirSync(new URL(`../${dir}/`, import.meta.url), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sources(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [read(`${dir}/${entry.name}`)] : [],
      );
    const codes = new Set(sources('src').flatMap((text) => [...text.matchAll(/'(OPPER_(?:EXPORTER|BRIDGE)_[A-Z_]+)'/g)].map((m) => m[1]!)));
    const troubleshooting = read('docs/troubleshooting.md');
    expect([...codes].filter((code) => !troubleshooting.includes(`| \`${code}\` |`))).toEqual([]);
  });

  it('has no link to a heading that is not there', () => {
    const anchor = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-');
    const broken: string[] = [];
    for (const file of DOCUMENTS) {
      const text = read(file);
      const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
      for (const [, target, hash] of text.matchAll(/\]\(([^)#\s]*)(?:#([\w-]+))?\)/g)) {
        if (/^https?:/.test(target!)) continue;
        const resolved = target ? new URL(target, `file:///${dir}`).pathname.slice(1) : file;
        if (!resolved.endsWith('.md')) continue;
        let body: string;
        try {
          body = read(resolved);
        } catch {
          broken.push(`${file}: ${target} does not exist`);
          continue;
        }
        const headings = [...body.matchAll(/^#{1,4} (.+)$/gm)].map((m) => anchor(m[1]!));
        if (hash && !headings.includes(hash)) broken.push(`${file}: ${target}#${hash}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the documents the code cites', () => {
  // A comment that points at a document the repository does not ship points nowhere.
  const sources = readdirSync(new URL('../src/', import.meta.url), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const cited = sources.flatMap((file) => [...read(`src/${file}`).matchAll(/[\w./-]+\.md\b/g)].map((m) => ({ file, doc: m[0] })));

  it('are cited at all, by their path from the repository root', () => {
    expect(cited.length).toBeGreaterThan(5);
  });

  it.each(cited)('$file cites $doc, which exists', ({ doc }) => {
    expect(() => read(doc)).not.toThrow();
  });
});
