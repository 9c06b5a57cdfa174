/**
 * `opentelemetry-exporter-opper/bridge`: an OTLP endpoint (HTTP and gRPC) that forwards to Opper,
 * for OpenTelemetry Collectors and any OTLP exporter. Its own entry point, so that an app that
 * only imports the exporter never loads protobufjs or grpc-js.
 */
export { BridgeWarningCode, startOtlpBridge, type OtlpBridge, type OtlpBridgeStats } from './bridge.js';
export { DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, DEFAULT_RESPONSE_DEADLINE_MS, type OtlpBridgeOptions } from './options.js';
export { jsonLogger, type BridgeLogger, type LogFields, type LogLevel } from './log.js';
