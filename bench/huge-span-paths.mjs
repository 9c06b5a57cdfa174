// What one huge span (issue 10, item 11) costs the app's thread on each path, medians of 8:
// the budget walk alone, a whole translation (inline transport, the processor, or a mask), and the
// worker transport's share (walk, copy into parts, structured clone). Run after `npm run build`:
//   node bench/huge-span-paths.mjs
import { serialize } from 'node:v8';
import { HUGE_SHAPES } from './lib/huge-spans.mjs';
import { translateSpan } from '../dist/translate/index.js';
import { boundSpan } from '../dist/translate/bound.js';
import { toParts } from '../dist/translate/parts.js';

const options = { maxBodyBytes: 524288, redactSecrets: true };
const median = (values) => values.sort((a, b) => a - b)[values.length >> 1].toFixed(2);

function time(work) {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

for (const [name, make] of Object.entries(HUGE_SHAPES)) {
  const walk = [];
  const inline = [];
  const worker = [];
  for (let i = 0; i < 8; i++) {
    const span = make(i);
    walk.push(time(() => boundSpan(span, options.maxBodyBytes)));
    inline.push(time(() => translateSpan(span, options)));
    worker.push(time(() => serialize(toParts([span], options, () => undefined))));
  }
  console.log(`${name}: walk ${median(walk)} ms, whole translation ${median(inline)} ms, worker transport's share ${median(worker)} ms`);
}
