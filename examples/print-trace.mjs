// Where the examples send their traces, and how they read them back: Opper itself when
// OPPER_API_KEY is set, else the local Opper-compatible server; traces are printed as trees, the
// way Opper's UI shows them: name, type, duration, input, output, model and tokens.
import { formatTrace, startLocalOpper } from 'opentelemetry-exporter-opper/testing';

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

/** Prints the trace as a tree (formatTrace, shared with `npx opentelemetry-exporter-opper local`). */
export function printTree(traceView, log = console.log) {
  log(formatTrace(traceView));
}
