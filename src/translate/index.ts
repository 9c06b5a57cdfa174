/** The translation: OTel span -> Opper create/update bodies. Pure; no I/O, clock or state. */
export {
  ATTR_OPPER_INPUT,
  ATTR_OPPER_OUTPUT,
  ATTR_OPPER_SCORE,
  ATTR_OPPER_TYPE,
  META_OPPER_CLAMPED_TIME,
  META_OPPER_TRUNCATED,
  META_OPPER_UNFINISHED,
} from './attributes.js';
export { shrinkBody } from './cap.js';
export { invalidSpan, isInvalidSpan, translateBatch, unreadableSpan } from './batch.js';
export { hasValidIds, INVALID_SPAN_CONTEXT, isValidSpanId, isValidTraceId, toOpperSpanId, toOpperTraceId } from './ids.js';
export { clampedTime, hrTimeToIso, MAX_TIME, MIN_TIME } from './time.js';
export { parentSpanIdOf, translateSpan } from './span.js';
export { MASK_FAILED_MARKER, type MaskField, type MaskFunction, type MaskInfo } from './mask.js';
export type {
  OpperCreateBody,
  OpperUpdateBody,
  ReadableSpanLike,
  TimedEventLike,
  TranslatedSpan,
  TranslateOptions,
} from './types.js';
export { DEFAULT_MAX_BODY_BYTES } from './cap.js';
