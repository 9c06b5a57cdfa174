/** What every door (exporter, processor) builds the same way: the delivery engine and the translation options. */
import { type Warnings, WarningCode } from './diagnostics.js';
import type { ConnectionConfig } from './config.js';
import { readyToSend, senderOptions, SHRUNK_BODY_BYTES, type Engine } from './engine-setup.js';
import { InlineDelivery, type DeliverySetup } from './transport/delivery.js';
import { HttpClient, type HttpClientOptions } from './transport/http-client.js';
import { proxyHost } from './transport/proxy.js';
import { WorkerDelivery } from './transport/worker-delivery.js';
import { VERSION } from './version.js';

export { PROBLEM_WARNINGS, requestStats, translateOptions, type Engine } from './engine-setup.js';

/** The delivery engine for `config`, or undefined: quietly under OTEL_SDK_DISABLED, after a
 * warning when there is no API key. */
export function startEngine(config: ConnectionConfig, warnings: Warnings, door: string): Engine | undefined {
  if (!readyToSend(config, warnings, door)) return undefined;
  const userAgent = `opentelemetry-exporter-opper/${VERSION} node/${process.versions.node}`;
  const client = httpClientOptions(config, warnings, door, userAgent);
  const sender = senderOptions(config, warnings, door);
  const setup: DeliverySetup = { client, sender, shrinkBytes: SHRUNK_BODY_BYTES };
  if (config.transport === 'inline') return { sender: new InlineDelivery(new HttpClient(client), sender) };
  const onWorkerStopped = (detail: string) =>
    warnings.once(WarningCode.WorkerStopped, `${door}: ${detail}; a new one took over its spans (see getStats() for any lost).`);
  return { sender: new WorkerDelivery(setup, onWorkerStopped) };
}

/**
 * The keep-alive client to Opper for `config` (which must have an API key), through its proxy if
 * any; a failure at the proxy is warned about once (and passed to `log`), naming the proxy's host.
 */
export function createHttpClient(
  config: ConnectionConfig,
  warnings: Warnings,
  door: string,
  userAgent: string,
  log?: (message: string) => void,
): HttpClient {
  return new HttpClient(httpClientOptions(config, warnings, door, userAgent, log));
}

/** The options of `createHttpClient`'s client, for an engine that builds the client itself (in a worker). */
function httpClientOptions(
  config: ConnectionConfig,
  warnings: Warnings,
  door: string,
  userAgent: string,
  log?: (message: string) => void,
): HttpClientOptions {
  const { baseUrl, apiKey, headers, concurrency, proxy } = config;
  const onProxyFailure = (reason: string) => {
    const message = `${door}: the proxy ${proxyHost(proxy!.url)} (from ${proxy!.source}) ${reason}; spans are not reaching Opper.`;
    log?.(message);
    warnings.once(WarningCode.ProxyFailed, message);
  };
  return { baseUrl, apiKey: apiKey!, headers, userAgent, maxConnections: concurrency.max, proxy: proxy?.url, onProxyFailure };
}
