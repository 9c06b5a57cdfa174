import type { HttpResponse } from './http-client.js';
import { BACKOFF_MAX_MS, type NetworkFault } from './retry-policy.js';

/** A cause the user must be told about (once), whichever door the sender serves. */
export type ProblemCause =
  | 'key-rejected' // 401
  | 'forbidden' // 403
  | 'retry-after-capped' // Opper asked for a longer wait than the sender ever makes
  | 'unexpected-reply' // a 2xx that is not Opper's JSON
  | 'wrong-base-url' // 404 on a create
  | 'redirected' // 3xx: redirects are not followed
  | 'tls-handshake' // no TLS at the other end (https:// at a plain-http server...)
  | 'no-answer' // connected or connecting, and nothing came back within the request's timeout
  | 'tls-untrusted' // the certificate is not trusted
  | 'unreachable' // refused, DNS failure...
  | 'falling-behind'; // spans arrive faster than Opper accepts them

export interface Problem {
  readonly cause: ProblemCause;
  /** What happened and what to do, without a door's name. Callers still redact it. */
  readonly message: string;
  /** The HTTP status, when there was one. */
  readonly status?: number;
}

/** The body, whitespace folded and cut short enough for a log line. */
export function excerpt(text: string, max = 300): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length > max ? `${folded.slice(0, max)}…` : folded;
}

/** Why a 2xx is not taken as delivered: status, content type and the start of the body. */
export function describeUnexpected(response: HttpResponse): string {
  return `not Opper's reply: ${replyExcerpt(response)}`;
}

function replyExcerpt(response: HttpResponse): string {
  const type = response.contentType ? ` (${response.contentType})` : '';
  const body = excerpt(response.body, 120);
  return `HTTP ${response.status}${type}, ${body ? `body: ${body}` : 'empty body'}`;
}

/** The problem an HTTP answer shows, if any; `unexpected` is set for a 2xx that is not Opper's. */
export function answerProblem(
  baseUrl: string,
  method: string,
  path: string,
  response: HttpResponse,
  unexpected: boolean,
): Problem | undefined {
  const { status } = response;
  const url = join(baseUrl, path);
  if (unexpected) {
    const message =
      `${method} ${url} was answered by something other than Opper (${replyExcerpt(response)}): a captive ` +
      'portal, a proxy, or another service at a wrong baseUrl? Check baseUrl and proxy settings. Such spans ' +
      'are retried and not counted as exported.';
    return { cause: 'unexpected-reply', message, status };
  }
  if (status === 401) return { cause: 'key-rejected', message: `Opper rejected the API key (HTTP 401) at ${baseUrl}.`, status };
  if (status === 403) return { cause: 'forbidden', message: `the API key is not allowed to write spans (HTTP 403) at ${baseUrl}.`, status };
  if (status >= 300 && status < 400) return { cause: 'redirected', message: redirectMessage(baseUrl, method, path, response), status };
  if (status === 404 && method === 'POST') {
    const fix = /\/v2\/?$/.test(baseUrl)
      ? `check the host and path of baseUrl (${baseUrl}); Opper's is https://api.opper.ai/v2`
      : `the base URL must end in /v2 (e.g. https://api.opper.ai/v2), not ${baseUrl}`;
    return { cause: 'wrong-base-url', message: `HTTP 404 for POST ${url}: ${fix}. Spans are not being exported.`, status };
  }
  return undefined;
}

function redirectMessage(baseUrl: string, method: string, path: string, response: HttpResponse): string {
  const url = join(baseUrl, path);
  const head = `HTTP ${response.status} for ${method} ${url}`;
  if (!response.location) return `${head} (a redirect without a Location): check baseUrl. Redirects are not followed.`;
  let target: URL;
  try {
    target = new URL(response.location, url);
  } catch {
    return `${head} to ${response.location}: check baseUrl. Redirects are not followed.`;
  }
  // The redirect names the URL of this request: what precedes its path is the base URL to use.
  const suffix = `/${path}`;
  const suggested = target.pathname.endsWith(suffix) ? `${target.origin}${target.pathname.slice(0, -suffix.length)}` : undefined;
  const fix = suggested === undefined ? 'set baseUrl to the address it names' : `set baseUrl to ${suggested}`;
  return `${head} redirects to ${target.href}: ${fix}. Redirects are not followed, so spans are not being exported.`;
}

/** The problem a request without an HTTP answer shows, if any. */
export function networkProblem(baseUrl: string, fault: NetworkFault, code: string, error: string): Problem | undefined {
  // OpenSSL's messages end in a newline: one line reads better in a warning.
  const detail = excerpt(error);
  if (fault === 'tls') {
    const message =
      `the TLS certificate of ${baseUrl} is not trusted (${code}: ${detail}). If Opper is reached through a proxy ` +
      'or a private CA, give Node its CA certificate: NODE_EXTRA_CA_CERTS=/path/to/ca.pem. Spans are not being exported.';
    return { cause: 'tls-untrusted', message };
  }
  if (fault === 'tls-handshake') {
    const plain = /^https:/.test(baseUrl)
      ? ` If the server speaks plain HTTP (a local or test server), use ${baseUrl.replace(/^https:/, 'http:')}; else check the port.`
      : '';
    const message = `the TLS handshake with ${baseUrl} failed (${code}: ${detail}).${plain} Spans are not being exported; still retrying.`;
    return { cause: 'tls-handshake', message };
  }
  if (fault === 'no-answer') {
    const message =
      `no answer from ${baseUrl} within the request timeout (${code}: ${detail}): something there takes the connection ` +
      'and never replies (a wrong host or port, a firewall that drops packets, a stuck proxy). Check baseUrl; still retrying until the export deadline.';
    return { cause: 'no-answer', message };
  }
  if (fault === 'unreachable') {
    const message = `cannot reach ${baseUrl} (${code}: ${detail}). Check baseUrl, DNS and that Opper (or your proxy) is reachable; still retrying.`;
    return { cause: 'unreachable', message };
  }
  return undefined;
}

/** The problem of a Retry-After longer than any wait the sender makes. */
export function retryAfterProblem(askedMs: number, retryAfter: string): Problem {
  const asked = Math.round(askedMs / 1000);
  const message =
    `Opper asked to wait ${asked} s (Retry-After: ${retryAfter}); retrying in at most ${BACKOFF_MAX_MS / 1000} s instead, ` +
    'so that spans flow again soon after it recovers.';
  return { cause: 'retry-after-capped', message };
}

function join(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}
