/** What to do with the answer to one request. */
export type Verdict =
  | 'done' // stored (a 409 on create counts: the span already landed)
  | 'retry' // transient: try again within the deadline
  | 'auth' // key missing or rejected: stop this export
  | 'tls' // the server's certificate is not trusted: stop this export
  | 'too-large' // 413: send again with values cut harder
  | 'reject'; // permanent for this span

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Classifies an HTTP status for a create (`POST`) or an update (`PATCH`). */
export function classifyStatus(status: number, method: 'POST' | 'PATCH'): Verdict {
  if (status >= 200 && status < 300) return 'done';
  if (status === 409 && method === 'POST') return 'done';
  // A PATCH sent right after its create may reach a replica that has not seen the span yet.
  if (status === 404 && method === 'PATCH') return 'retry';
  if (status === 401 || status === 403) return 'auth';
  if (status === 413) return 'too-large';
  return RETRYABLE_STATUS.has(status) ? 'retry' : 'reject';
}

export const BACKOFF_BASE_MS = 200;
/** The longest wait before any retry, Retry-After included: an hour asked for is 5 s here. */
export const BACKOFF_MAX_MS = 5000;

/**
 * Delay before retry number `attempt` (1 = first retry): exponential backoff with equal jitter, or the
 * server's Retry-After when that is longer, never more than BACKOFF_MAX_MS: a `Retry-After: 3600`
 * from a brief maintenance page must not silence the exporter for an hour. `random` is in [0, 1).
 */
export function retryDelay(attempt: number, retryAfter: string | undefined, now: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt - 1, 16));
  // Never zero: a tight loop against a failing server helps nobody.
  const backoff = ceiling / 2 + (random * ceiling) / 2;
  const asked = parseRetryAfter(retryAfter, now);
  return asked === undefined ? backoff : Math.min(BACKOFF_MAX_MS, Math.max(asked, backoff));
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday and month; Date.parse alone would read "-3" as a year.
  const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What a request that got no HTTP answer says about the setup, from its error code. */
export type NetworkFault = 'tls' | 'tls-handshake' | 'unreachable' | 'no-answer' | 'transient';

// Certificate checks that fail the same way on every try until the setup changes.
const TLS_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
// Nobody answered at that address (yet): worth retrying, since Opper or a sidecar may come up.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// Connected (or trying to), then no answer within the request's timeout: got and node use
// ETIMEDOUT, undici names the phase that timed out.
const NO_ANSWER_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// The TLS handshake failed before any certificate was seen: OpenSSL's codes as node and undici
// pass them on (an https:// URL at a plain-http server reads "wrong version number").
const TLS_HANDSHAKE_CODES = new Set([
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);
// OpenSSL's reason in a message, for a client that wraps the TLS error (undici's UND_ERR_SOCKET).
const TLS_HANDSHAKE_TEXT = /wrong version number|packet length too long|ssl3_get_record|SSL routines/i;

/** Classifies a network error by its code (a NetworkError's `code`), and its message where a
 * client wraps the cause under a code of its own. */
export function classifyNetworkError(code: string, message = ''): NetworkFault {
  if (TLS_CERTIFICATE_CODES.has(code)) return 'tls';
  if (TLS_HANDSHAKE_CODES.has(code) || (code.startsWith('UND_ERR') && TLS_HANDSHAKE_TEXT.test(message))) return 'tls-handshake';
  if (NO_ANSWER_CODES.has(code)) return 'no-answer';
  return UNREACHABLE_CODES.has(code) ? 'unreachable' : 'transient';
}

/** True for `application/json` and `application/<x>+json`, with or without parameters. */
export function isJsonContentType(contentType: string): boolean {
  return /^\s*application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType);
}

/**
 * Whether a 2xx reply is the JSON object Opper answers a write with: JSON content type (when the
 * transport reports one), an object, and, for a create, our span's id in it. A captive portal, a
 * proxy's error page or another service behind a wrong base URL also answer 200. Checks the shape
 * without parsing, so the success path stays cheap however large the echoed span is.
 */
export function isOpperReply(contentType: string | undefined, body: string, id: string | undefined): boolean {
  if (contentType !== undefined && !isJsonContentType(contentType)) return false;
  let start = 0;
  let end = body.length - 1;
  while (start <= end && isSpace(body.charCodeAt(start))) start++;
  while (end > start && isSpace(body.charCodeAt(end))) end--;
  if (body[start] !== '{' || body[end] !== '}') return false;
  return id === undefined || body.includes(`"${id}"`);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}
