/**
 * Secrets in standard attributes, replaced before a span leaves the process (docs/mapping.md,
 * "What is redacted"). Follows the OpenTelemetry semantic conventions: URL credentials and the
 * values of sensitive query parameters become `REDACTED`; widened to every parameter whose name
 * says it holds a secret, and to command lines and environment variables, which hold them too.
 */
export const REDACTED = 'REDACTED';

/** Attributes whose whole value is a command line or an environment variable. */
const WHOLE_VALUE = /^process\.(command_args|command_line|args)$|^process\.environment_variable\./;
/** Attributes that hold a URL or a query string (current and older semantic conventions). */
const URL_KEYS = new Set(['url.full', 'url.original', 'http.url', 'http.target']);
const QUERY_KEYS = new Set(['url.query']);
/** A query parameter name that says its value is a secret (matched on the lower-cased name). */
const SENSITIVE_NAME =
  /token|secret|passw|pwd|signature|credential|session|auth|jwt|private|accesskey|key$|(^|[^a-z])(key|sig|code)([^a-z]|$)/;
// Query strings longer than this are not parsed: the value is replaced whole (a fixed budget).
const MAX_QUERY_CHARS = 8192;

/** The value to send for attribute `key`: the same value when nothing in it is a secret. */
export function redactAttribute(key: string, value: unknown): unknown {
  if (WHOLE_VALUE.test(key)) return REDACTED;
  if (typeof value !== 'string') return value;
  if (QUERY_KEYS.has(key)) return redactQuery(value);
  if (URL_KEYS.has(key)) return redactUrl(value);
  return value;
}

/** `a=1&token=x` -> `a=1&token=REDACTED`; names and order kept, the rest of the text untouched. */
function redactQuery(query: string): string {
  if (query.length > MAX_QUERY_CHARS) return REDACTED;
  let changed = false;
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    if (eq < 0 || !isSensitive(part.slice(0, eq))) return part;
    changed = true;
    return `${part.slice(0, eq + 1)}${REDACTED}`;
  });
  return changed ? parts.join('&') : query;
}

/** Credentials (`user:pw@`) and sensitive query values of a URL, or of a path with a query. */
function redactUrl(url: string): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}:${REDACTED}@`);
  const q = out.indexOf('?');
  if (q >= 0) {
    const hash = out.indexOf('#', q);
    const end = hash < 0 ? out.length : hash;
    out = `${out.slice(0, q + 1)}${redactQuery(out.slice(q + 1, end))}${out.slice(end)}`;
  }
  return out;
}

function isSensitive(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // a malformed escape: judge the raw name
  }
  return SENSITIVE_NAME.test(decoded.toLowerCase());
}
