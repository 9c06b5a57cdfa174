import { describe, expect, it } from '@jest/globals';
import {
  BACKOFF_MAX_MS,
  classifyNetworkError,
  classifyStatus,
  isOpperReply,
  parseRetryAfter,
  retryDelay,
} from '../../src/transport/retry-policy.js';

describe('classifyStatus', () => {
  it.each([
    [200, 'POST', 'done'],
    [201, 'PATCH', 'done'],
    [409, 'POST', 'done'],
    [409, 'PATCH', 'reject'],
    [404, 'PATCH', 'retry'],
    [404, 'POST', 'reject'],
    [401, 'POST', 'auth'],
    [403, 'PATCH', 'auth'],
    [413, 'POST', 'too-large'],
    [400, 'POST', 'reject'],
    [422, 'PATCH', 'reject'],
    [408, 'POST', 'retry'],
    [429, 'POST', 'retry'],
    [500, 'PATCH', 'retry'],
    [502, 'POST', 'retry'],
    [503, 'POST', 'retry'],
    [504, 'POST', 'retry'],
    [501, 'POST', 'reject'],
  ] as const)('%i on %s is %s', (status, method, verdict) => {
    expect(classifyStatus(status, method)).toBe(verdict);
  });
});

describe('retryDelay', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    const low = [1, 2, 3, 4].map((attempt) => retryDelay(attempt, undefined, 0, 0));
    const high = [1, 2, 3, 4].map((attempt) => retryDelay(attempt, undefined, 0, 0.999));
    expect(low).toEqual([100, 200, 400, 800]);
    high.forEach((delay, i) => {
      expect(delay).toBeGreaterThan(low[i]!);
    });
    expect(retryDelay(30, undefined, 0, 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });

  it('honours a longer Retry-After', () => {
    expect(retryDelay(1, '3', 0, 0)).toBe(3000);
    expect(retryDelay(10, '0', 0, 0)).toBeGreaterThan(0);
  });

  it('never waits longer than the cap, whatever Retry-After asks', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(retryDelay(1, '3600', now, 0)).toBe(BACKOFF_MAX_MS);
    expect(retryDelay(1, 'Sun, 22 Nov 2026 10:00:00 GMT', now, 0.5)).toBe(BACKOFF_MAX_MS); // a day ahead
  });
});

describe('classifyNetworkError', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['EAI_AGAIN', 'unreachable'],
    ['ECONNRESET', 'transient'],
    ['UND_ERR_SOCKET', 'transient'],
    // Nothing answered in time (got/node, then undici's phases).
    ['ETIMEDOUT', 'no-answer'],
    ['UND_ERR_CONNECT_TIMEOUT', 'no-answer'],
    ['UND_ERR_HEADERS_TIMEOUT', 'no-answer'],
    ['UND_ERR_BODY_TIMEOUT', 'no-answer'],
    // https:// at a plain-http server: OpenSSL's code as node and undici pass it on.
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-handshake'],
    ['EPROTO', 'tls-handshake'],
  ] as const)('%s is %s', (code, fault) => {
    expect(classifyNetworkError(code)).toBe(fault);
  });

  it('reads the TLS cause a client wraps under a code of its own', () => {
    expect(classifyNetworkError('UND_ERR_SOCKET', 'SSL routines:ssl3_get_record:wrong version number')).toBe('tls-handshake');
    expect(classifyNetworkError('UND_ERR_SOCKET', 'other side closed')).toBe('transient');
  });
});

describe('isOpperReply', () => {
  const id = '0af7651916cd43dd-8448eb211c80319c';
  it("takes Opper's JSON span, with or without a content type", () => {
    expect(isOpperReply('application/json', `{"id":"${id}","name":"x"}`, id)).toBe(true);
    expect(isOpperReply('application/json; charset=utf-8', ` {"name":"x", "id": "${id}"}\n`, id)).toBe(true);
    expect(isOpperReply(undefined, `{"id":"${id}"}`, id)).toBe(true);
    expect(isOpperReply('application/json', '{"id":"whatever"}', undefined)).toBe(true); // a PATCH
  });
  it('refuses what a captive portal, a proxy or another service answers', () => {
    expect(isOpperReply('text/html', `<html>{"id":"${id}"}</html>`, id)).toBe(false);
    expect(isOpperReply('text/html', `{"id":"${id}"}`, id)).toBe(false);
    expect(isOpperReply('application/json', '', id)).toBe(false);
    expect(isOpperReply('application/json', '   ', undefined)).toBe(false);
    expect(isOpperReply('application/json', `{"id":"${id}"`, id)).toBe(false); // cut short
    expect(isOpperReply('application/json', '{"ok":true}', id)).toBe(false); // not our span
    expect(isOpperReply('application/json', `["${id}"]`, id)).toBe(false);
    expect(isOpperReply('application/json', `{"data":"{\\"id\\":\\"${id}\\"}"}`, id)).toBe(false); // an echo service
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });
});
