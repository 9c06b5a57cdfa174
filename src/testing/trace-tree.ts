/** A trace as a tree of text lines, the way Opper's UI shows it: name, type, duration, input,
 * output, model and tokens. Shared by `npm run demo` (examples/print-trace.mjs) and the
 * `opentelemetry-exporter-opper local` command. */
import type { StoredSpan, TraceView } from './types.js';

/** The trace, one line per span and one per input/output/error, ending with a blank line. */
export function formatTrace(view: Pick<TraceView, 'id' | 'total_tokens' | 'spans'>): string {
  const lines: string[] = [];
  const children = new Map<string | null, StoredSpan[]>();
  for (const span of view.spans) {
    const list = children.get(span.parent_id ?? null) ?? [];
    list.push(span);
    children.set(span.parent_id ?? null, list);
  }
  const ids = new Set(view.spans.map((span) => span.id));
  const roots = view.spans.filter((span) => !span.parent_id || !ids.has(span.parent_id));
  lines.push(`trace ${view.id}${view.total_tokens != null ? `  (${view.total_tokens} tokens)` : ''}`);
  const walk = (span: StoredSpan, prefix: string, last: boolean): void => {
    const ms = span.end_time ? `${((micros(span.end_time) - micros(span.start_time)) / 1000).toFixed(1)} ms` : 'running';
    const meta = span.meta ?? {};
    const model = meta['gen_ai.request.model'];
    const tokens =
      meta['gen_ai.usage.input_tokens'] != null
        ? `${String(meta['gen_ai.usage.input_tokens'])}+${String(meta['gen_ai.usage.output_tokens'] ?? 0)} tokens`
        : '';
    lines.push(
      `${prefix}${last ? '└─ ' : '├─ '}${[`${span.name ?? '(no name)'} [${span.type ?? '-'}] ${ms}`, model, tokens].filter(Boolean).join(', ')}`,
    );
    const inner = `${prefix}${last ? '   ' : '│  '}`;
    if (span.error) lines.push(`${inner}   error: ${short(span.error)}`);
    if (span.input) lines.push(`${inner}   in:  ${short(span.input)}`);
    if (span.output) lines.push(`${inner}   out: ${short(span.output)}`);
    const kids = (children.get(span.id) ?? []).sort((a, b) => (a.start_time ?? '').localeCompare(b.start_time ?? ''));
    kids.forEach((kid, i) => {
      walk(kid, inner, i === kids.length - 1);
    });
  };
  roots.forEach((root, i) => {
    walk(root, '', i === roots.length - 1);
  });
  lines.push('');
  return lines.join('\n');
}

/** Microseconds since the epoch of an ISO timestamp with up to 6 fractional digits. */
function micros(iso: string | null): number {
  if (!iso) return 0;
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return Date.parse(iso.replace(/\.\d+/, '')) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function short(value: unknown, max = 100): string {
  const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
