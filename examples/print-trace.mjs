// Where the examples send their traces, and how they read them back: Opper itself when
// OPPER_API_KEY is set, else the local Opper-compatible server; traces are printed as trees, the
// way Opper's UI shows them: name, type, duration, input, output, model and tokens.
import { startLocalOpper } from 'opentelemetry-exporter-opper/testing';

/** `{ opper: { baseUrl, apiKey }, local }`: `local` is the started local Opper, if one was needed. */
export async function opperTarget() {
  const local = process.env.OPPER_API_KEY ? undefined : await startLocalOpper();
  const opper = local
    ? { baseUrl: local.url, apiKey: local.apiKey }
    : { baseUrl: process.env.OPPER_BASE_URL ?? 'https://api.opper.ai/v2', apiKey: process.env.OPPER_API_KEY };
  console.log(local ? `No OPPER_API_KEY: exporting to the local Opper at ${local.url}\n` : `Exporting to ${opper.baseUrl}\n`);
  return { opper, local };
}

/** GET /traces/{id} with the same key the exporter uses. */
export async function fetchTrace({ baseUrl, apiKey }, opperTraceId) {
  const response = await fetch(`${baseUrl}/traces/${opperTraceId}`, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) throw new Error(`GET /traces/${opperTraceId}: HTTP ${response.status}`);
  return response.json();
}

export function printTree(traceView, log = console.log) {
  const children = new Map();
  for (const span of traceView.spans) {
    const list = children.get(span.parent_id ?? null) ?? [];
    list.push(span);
    children.set(span.parent_id ?? null, list);
  }
  const ids = new Set(traceView.spans.map((span) => span.id));
  const roots = traceView.spans.filter((span) => !span.parent_id || !ids.has(span.parent_id));
  log(`trace ${traceView.id}${traceView.total_tokens != null ? `  (${traceView.total_tokens} tokens)` : ''}`);
  const walk = (span, prefix, last) => {
    const ms = ((micros(span.end_time) - micros(span.start_time)) / 1000).toFixed(1);
    const meta = span.meta ?? {};
    const model = meta['gen_ai.request.model'];
    const tokens = meta['gen_ai.usage.input_tokens'] != null ? `${meta['gen_ai.usage.input_tokens']}+${meta['gen_ai.usage.output_tokens'] ?? 0} tokens` : '';
    log(`${prefix}${last ? '└─ ' : '├─ '}${[`${span.name} [${span.type ?? '-'}] ${ms} ms`, model, tokens].filter(Boolean).join(', ')}`);
    const inner = `${prefix}${last ? '   ' : '│  '}`;
    if (span.error) log(`${inner}   error: ${short(span.error)}`);
    if (span.input) log(`${inner}   in:  ${short(span.input)}`);
    if (span.output) log(`${inner}   out: ${short(span.output)}`);
    const kids = (children.get(span.id) ?? []).sort((a, b) => a.start_time.localeCompare(b.start_time));
    kids.forEach((kid, i) => walk(kid, inner, i === kids.length - 1));
  };
  roots.forEach((root, i) => walk(root, '', i === roots.length - 1));
  log('');
}

/** Microseconds since the epoch of an ISO timestamp with up to 6 fractional digits. */
function micros(iso) {
  if (!iso) return 0;
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return Date.parse(iso.replace(/\.\d+/, '')) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function short(value, max = 100) {
  const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
