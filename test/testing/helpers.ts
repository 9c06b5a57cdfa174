import type { LocalOpper } from '../../src/testing/index.js';

/** A parsed reply; `body` is the decoded JSON (or text when not JSON). */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read any field of a reply
  readonly body: any;
}

export interface CallOptions {
  /** Replaces the default headers (a valid key and JSON content type). */
  readonly headers?: Record<string, string>;
  /** Sent as-is instead of JSON-encoding `body`. */
  readonly raw?: string | Uint8Array;
}

/** One request to the server, `path` relative to its `/v2` base URL. */
export async function call(server: LocalOpper, method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Reply> {
  const headers = options.headers ?? { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' };
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(`${server.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Polls until `condition` holds; fails loudly instead of hanging. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
