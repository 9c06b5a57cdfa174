// The README test's reading of the documents (test/compat/readme-blocks.mjs): every block is one
// the compat suite runs, or carries a visible reason why not. The compat suite runs them.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
// @ts-expect-error: a plain ES module of the compat suite, without types
import { planExamples } from './compat/readme-blocks.mjs';

type Plan = { examples: { id: string; commands: unknown[] }[]; skipped: { reason: string }[]; problems: string[] };
const plan = (markdown: string): Plan => planExamples('doc.md', markdown);
const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('the README test', () => {
  it.each(['README.md', 'examples/README.md'])('finds nothing in %s it would neither run nor explain', (file) => {
    expect(planExamples(file, read(file)).problems).toEqual([]);
  });

  it('runs the quick starts and the framework parts: services (exporter and processor), scripts', () => {
    const { examples } = planExamples('README.md', read('README.md')) as Plan;
    const ids = examples.filter((e) => e.commands.length).map((e) => e.id.replace('README.md: ', ''));
    expect(ids).toEqual(
      expect.arrayContaining(['Node SDK, ES modules', 'Node SDK, CommonJS', 'A tracer provider of your own', 'An LLM app', 'Live spans: OpperSpanProcessor', 'LangChain.js', 'Anthropic', 'OpenAI Agents', 'Vercel AI SDK 7', 'Sentry', 'Check that it works']),
    );
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
    expect(problems).toEqual(['doc.md: A: files but no "node ..." command to run them', 'doc.md: A: no "npm install" line for the packages its files import']);
    const marked = plan('## A\n\n```js\n// not run: needs a real Opper key\nnew Thing();\n```\n');
    expect(marked).toMatchObject({ problems: [], skipped: [{ reason: 'needs a real Opper key' }] });
  });
});
