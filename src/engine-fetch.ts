/** The delivery engine of the build for runtimes without Node's HTTP stack: the sender, inline, over fetch. */
import type { Warnings } from './diagnostics.js';
import type { ConnectionConfig } from './config.js';
import { readyToSend, senderOptions, type Engine } from './engine-setup.js';
import { InlineDelivery } from './transport/delivery.js';
import { FetchClient } from './transport/fetch-client.js';
import { VERSION } from './version.js';

/** The fetch engine for `config`, or undefined (see `readyToSend`). `transport` and `proxy` are
 * Node's: there is no worker thread here, and the platform's fetch goes where the platform sends it. */
export function startFetchEngine(config: ConnectionConfig, warnings: Warnings, door: string): Engine | undefined {
  if (!readyToSend(config, warnings, door)) return undefined;
  const { baseUrl, apiKey, headers } = config;
  // Names the runtime where it says (Cloudflare-Workers, Deno/2.x...).
  const runtime = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? 'fetch';
  const client = new FetchClient({ baseUrl, apiKey: apiKey!, headers, userAgent: `opentelemetry-exporter-opper/${VERSION} ${runtime}` });
  return { sender: new InlineDelivery(client, senderOptions(config, warnings, door)) };
}
