/** Opper ids (UUID-shaped) as pure functions of the OTel hex ids (docs/mapping.md, "Identity"). */

const HEX16 = /^[0-9a-f]{16}$/;
const HEX32 = /^[0-9a-f]{32}$/;

/** `length` lower-case hex digits: non-hex dropped, the last `length` kept, left-padded with zeros. */
function normalizeHex(hex: unknown, length: 16 | 32): string {
  if (typeof hex === 'string' && (length === 16 ? HEX16 : HEX32).test(hex)) return hex;
  const digits = typeof hex === 'string' ? hex.toLowerCase().replace(/[^0-9a-f]/g, '') : '';
  return digits.length >= length ? digits.slice(digits.length - length) : digits.padStart(length, '0');
}

function uuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`;
}

/** The OTel trace id (32 hex) written as a UUID. Never throws; bad input is normalised. */
export function toOpperTraceId(traceIdHex: string): string {
  return uuid(normalizeHex(traceIdHex, 32));
}

/** The 16 hex of the span id, then the last 16 hex of the trace id, written as a UUID. */
export function toOpperSpanId(spanIdHex: string, traceIdHex: string): string {
  return uuid(normalizeHex(spanIdHex, 16) + normalizeHex(traceIdHex, 32).slice(16));
}

const ALL_ZERO = /^0+$/;

/** OpenTelemetry's rule for a trace id: 32 lower-case hex digits, not all zero. */
export function isValidTraceId(hex: unknown): hex is string {
  return typeof hex === 'string' && HEX32.test(hex) && !ALL_ZERO.test(hex);
}

/** OpenTelemetry's rule for a span id: 16 lower-case hex digits, not all zero. */
export function isValidSpanId(hex: unknown): hex is string {
  return typeof hex === 'string' && HEX16.test(hex) && !ALL_ZERO.test(hex);
}

/**
 * Whether the span's own context is valid (OpenTelemetry's rule, docs/mapping.md "The same span through
 * every door"). Every door checks it before translating: an invalid span is not exported, because
 * its ids would collapse onto another span's (the nil UUID) in Opper. Never throws.
 */
export function hasValidIds(span: { spanContext(): { traceId: string; spanId: string } }): boolean {
  try {
    const context = span.spanContext();
    return isValidTraceId(context.traceId) && isValidSpanId(context.spanId);
  } catch {
    return false;
  }
}

/** Why `hasValidIds` said no, for warnings and OTLP answers. */
export const INVALID_SPAN_CONTEXT = 'invalid span context (the trace id must be 32 and the span id 16 lower-case hex digits, not all zero)';
