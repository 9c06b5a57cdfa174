/** What every door (exporter, processor, bridge) builds the same way: the delivery engine and the translation options. */
import { type Warnings, WarningCode } from './diagnostics.js';
import type { ConnectionConfig } from './config.js';
import { deliverySetup, problemWarnings, readyToSend, userAgent, type Engine } from './engine-setup.js';
import { engineOptions, InlineDelivery, type EngineNotifications, type SenderLimits } from './transport/delivery.js';
import { HttpClient } from './transport/http-client.js';
import type { Problem } from './transport/problems.js';
import { proxyHost } from './transport/proxy.js';
import { WorkerDelivery } from './transport/worker-delivery.js';

export { requestStats, translateOptions, type Engine } from './engine-setup.js';

/** How a door's engine differs from the exporter's; everything else comes from the config. */
export interface EngineSpec {
  /** Names the door in its warnings. */
  readonly door: string;
  /** Names the door in the user agent, e.g. `(otlp-bridge)`. */
  readonly tag?: string;
  /** On the app's thread whatever `config.transport` says. */
  readonly inline?: true;
  /** The sender's limits where they are not the config's. */
  readonly sender?: Partial<SenderLimits>;
  /** Told of a rejected key or a forbidden write, in place of the door's warning (`problemWarnings`). */
  readonly onKeyProblem?: (problem: Problem) => void;
  /** Told of a failure at the proxy (the warning's message), besides the warning. */
  readonly onProxyFailure?: (message: string) => void;
}

/** An engine on the app's thread: its sender may be asked at once, and its client (through the
 * proxy, with the key) used for a request of the door's own (the bridge's readiness probe). */
export interface InlineEngine extends Engine {
  readonly sender: InlineDelivery;
  readonly client: HttpClient;
}

/** The delivery engine for `config`, or undefined: quietly under OTEL_SDK_DISABLED, after a
 * warning when there is no API key. */
export function startEngine(config: ConnectionConfig, warnings: Warnings, door: string): Engine | undefined {
  if (!readyToSend(config, warnings, door)) return undefined;
  return createEngine(config, warnings, { door });
}

/** The one place a Node engine is built, for every door; `config` must have an API key. */
export function createEngine(config: ConnectionConfig, warnings: Warnings, spec: EngineSpec & { inline: true }): InlineEngine;
export function createEngine(config: ConnectionConfig, warnings: Warnings, spec: EngineSpec): Engine;
export function createEngine(config: ConnectionConfig, warnings: Warnings, spec: EngineSpec): Engine {
  const { door } = spec;
  const setup = deliverySetup(config, door, userAgent(`node/${process.versions.node}`, spec.tag), spec.sender);
  const notify: EngineNotifications = {
    onProblem: problemWarnings(config, warnings, door, spec.onKeyProblem),
    onProxyFailure: proxyWarning(config, warnings, door, spec.onProxyFailure),
  };
  if (spec.inline || config.transport === 'inline') {
    const options = engineOptions(setup, notify);
    const client = new HttpClient(options.client);
    const engine: InlineEngine = { sender: new InlineDelivery(client, options.sender), client };
    return engine;
  }
  const onWorkerStopped = (detail: string) =>
    warnings.once(WarningCode.WorkerStopped, `${door}: ${detail}; a new one took over its spans (see getStats() for any lost).`);
  return { sender: new WorkerDelivery(setup, notify, onWorkerStopped) };
}

/**
 * The keep-alive client to Opper for `config` (which must have an API key), through its proxy if
 * any, for a command of its own (`tag` in its user agent); a failure at the proxy is warned about once.
 */
export function createHttpClient(config: ConnectionConfig, warnings: Warnings, door: string, tag: string): HttpClient {
  const setup = deliverySetup(config, door, userAgent(`node/${process.versions.node}`, tag));
  return new HttpClient({ ...setup.client, onProxyFailure: proxyWarning(config, warnings, door) });
}

/** A failure at the proxy as one warning naming the proxy's host (and passed to `log`). */
function proxyWarning(config: ConnectionConfig, warnings: Warnings, door: string, log?: (message: string) => void) {
  const { proxy } = config;
  return (reason: string) => {
    const message = `${door}: the proxy ${proxyHost(proxy!.url)} (from ${proxy!.source}) ${reason}; spans are not reaching Opper.`;
    log?.(message);
    warnings.once(WarningCode.ProxyFailed, message);
  };
}
