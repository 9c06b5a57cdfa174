/** What to do with the answer to one request. */
export type Verdict =
  | 'done' // stored (a 409 on create counts: the span already landed)
  | 'retry' // transient: try again within the deadline
  | 'auth' // key missing or rejected: stop this export
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
export const BACKOFF_MAX_MS = 5000;

/**
 * Delay before retry number `attempt` (1 = first retry): exponential backoff with equal jitter, or the
 * server's Retry-After when that is longer. `random` is in [0, 1).
 */
export function retryDelay(attempt: number, retryAfter: string | undefined, now: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt - 1, 16));
  // Never zero: a tight loop against a failing server helps nobody.
  const backoff = ceiling / 2 + (random * ceiling) / 2;
  const asked = parseRetryAfter(retryAfter, now);
  return asked === undefined ? backoff : Math.max(asked, backoff);
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
