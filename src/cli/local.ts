/**
 * `opentelemetry-exporter-opper local`: the local Opper (src/testing) on its own, printing each
 * trace as a tree once it has arrived, so a user can watch what their own app sends.
 */
import { startLocalOpper } from '../testing/local-opper.js';
import { formatTrace } from '../testing/trace-tree.js';
import type { LocalOpper, StoredSpan } from '../testing/types.js';

export const DEFAULT_LOCAL_PORT = 4320;
// A trace is printed once no write touched it for this long and every span in it has ended.
const QUIET_MS = 300;

export interface LocalRun {
  readonly opper: LocalOpper;
  close(): Promise<void>;
}

/** Starts the local Opper and prints what to set, then each trace as it arrives. */
export async function runLocal(
  options: { port: number; host: string; apiKey?: string | undefined },
  print: (text: string) => void,
): Promise<LocalRun> {
  const timers = new Map<string, NodeJS.Timeout>();
  const printed = new Set<string>();
  let opper: LocalOpper | undefined;
  const show = (traceId: string) => {
    timers.delete(traceId);
    const view = opper?.trace(traceId);
    // A live span (OpperSpanProcessor) arrives before it ends: wait for its PATCH.
    if (view === undefined || view.spans.some((span) => span.end_time === null)) return;
    const again = printed.has(traceId) ? ' (updated)' : '';
    printed.add(traceId);
    print(formatTrace(view).replace(/^trace \S+/, (head) => `${head}${again}`));
  };
  const onSpan = (span: StoredSpan) => {
    if (span.trace_id === null) return;
    clearTimeout(timers.get(span.trace_id));
    timers.set(span.trace_id, setTimeout(show, QUIET_MS, span.trace_id));
  };
  opper = await startLocalOpper({
    port: options.port,
    host: options.host,
    onSpan,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
  });
  print(
    [
      `Local Opper at ${opper.url}. Point your app at it:`,
      '',
      `  export OPPER_BASE_URL=${opper.url}`,
      `  export OPPER_API_KEY=${opper.apiKey}`,
      '',
      'Each trace is printed here once its spans have arrived. Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  const server = opper;
  return {
    opper: server,
    close: async () => {
      for (const timer of timers.values()) clearTimeout(timer);
      await server.close();
    },
  };
}
