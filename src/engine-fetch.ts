/** The delivery engine of the build for runtimes without Node's HTTP stack: the sender, inline, over fetch. */
import type { Warnings } from './diagnostics.js';
import type { ConnectionConfig } from './config.js';
import { deliverySetup, problemWarnings, readyToSend, userAgent, type Engine } from './engine-setup.js';
import { engineOptions, InlineDelivery } from './transport/delivery.js';
import { FetchClient } from './transport/fetch-client.js';

/** The fetch engine for `config`, or undefined (see `readyToSend`). `transport` and `proxy` are
 * Node's: there is no worker thread here, and the platform's fetch goes where the platform sends it. */
export function startFetchEngine(config: ConnectionConfig, warnings: Warnings, door: string): Engine | undefined {
  if (!readyToSend(config, warnings, door)) return undefined;
  // Names the runtime where it says (Cloudflare-Workers, Deno/2.x...).
  const runtime = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? 'fetch';
  const setup = deliverySetup(config, door, userAgent(runtime));
  const { client, sender } = engineOptions(setup, { onProblem: problemWarnings(config, warnings, door) });
  return { sender: new InlineDelivery(new FetchClient(client), sender) };
}
