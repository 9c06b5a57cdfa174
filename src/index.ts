export { OpperSpanExporter, type OpperExporterStats } from './exporter.js';
export { DEFAULT_BASE_URL, type OpperExporterOptions } from './config.js';
export { WarningCode } from './diagnostics.js';
export { ATTR_OPPER_INPUT, ATTR_OPPER_OUTPUT, ATTR_OPPER_SCORE, ATTR_OPPER_TYPE } from './translate/attributes.js';
export { toOpperSpanId, toOpperTraceId } from './translate/ids.js';
export type { ReadableSpanLike, TimedEventLike } from './translate/types.js';
