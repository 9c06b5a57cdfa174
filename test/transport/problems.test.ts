import { describe, expect, it } from '@jest/globals';
import { answerProblem, networkProblem, retryAfterProblem } from '../../src/transport/problems.js';

const reply = (status: number, extra: { location?: string; contentType?: string; body?: string } = {}) => ({ status, body: '', ...extra });

describe('answerProblem', () => {
  it('names the base URL to use after a redirect, absolute or relative', () => {
    const absolute = answerProblem(
      'http://opper.example/v2',
      'POST',
      'spans',
      reply(301, { location: 'https://opper.example/v2/spans' }),
      false,
    );
    expect(absolute).toMatchObject({ cause: 'redirected', status: 301 });
    expect(absolute?.message).toContain('set baseUrl to https://opper.example/v2.');
    const relative = answerProblem(
      'http://proxy.example/opper/v2/',
      'PATCH',
      'spans/abc',
      reply(307, { location: '/api/v2/spans/abc' }),
      false,
    );
    expect(relative?.message).toContain(
      'PATCH http://proxy.example/opper/v2/spans/abc redirects to http://proxy.example/api/v2/spans/abc: set baseUrl to http://proxy.example/api/v2.',
    );
    const elsewhere = answerProblem(
      'http://opper.example/v2',
      'POST',
      'spans',
      reply(302, { location: 'https://login.example/portal' }),
      false,
    );
    expect(elsewhere?.message).toContain('redirects to https://login.example/portal: set baseUrl to the address it names');
    expect(answerProblem('http://opper.example/v2', 'POST', 'spans', reply(308), false)?.message).toMatch(/a redirect without a Location/);
  });

  it('says what is wrong with a base URL that answers 404 to a create', () => {
    expect(answerProblem('http://localhost:8080', 'POST', 'spans', reply(404), false)?.message).toContain(
      'HTTP 404 for POST http://localhost:8080/spans: the base URL must end in /v2 (e.g. https://api.opper.ai/v2), not http://localhost:8080.',
    );
    expect(answerProblem('https://other.example/v2', 'POST', 'spans', reply(404), false)?.message).toContain(
      'check the host and path of baseUrl',
    );
    expect(answerProblem('https://api.opper.ai/v2', 'PATCH', 'spans/x', reply(404), false)).toBeUndefined(); // replica lag: retried
  });

  it('quotes a reply that is not Opper’s, and stays quiet about ordinary failures', () => {
    const page = answerProblem(
      'https://api.opper.ai/v2',
      'POST',
      'spans',
      reply(200, { contentType: 'text/html', body: `<html>${'x'.repeat(500)}</html>` }),
      true,
    );
    expect(page?.cause).toBe('unexpected-reply');
    expect(page?.message).toMatch(
      /^POST https:\/\/api\.opper\.ai\/v2\/spans was answered by something other than Opper \(HTTP 200 \(text\/html\), body: <html>x+…\): a captive portal/,
    );
    expect(answerProblem('https://api.opper.ai/v2', 'POST', 'spans', reply(422), false)).toBeUndefined();
    expect(answerProblem('https://api.opper.ai/v2', 'POST', 'spans', reply(503), false)).toBeUndefined();
  });
});

describe('networkProblem and retryAfterProblem', () => {
  it('name the cause and the fix', () => {
    expect(
      networkProblem('https://api.opper.ai/v2', 'tls', 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')
        ?.message,
    ).toMatch(/^the TLS certificate of https:\/\/api\.opper\.ai\/v2 is not trusted \(SELF_SIGNED_CERT_IN_CHAIN: .*NODE_EXTRA_CA_CERTS=/);
    expect(networkProblem('https://api.opper.ai/v2', 'unreachable', 'ENOTFOUND', 'getaddrinfo ENOTFOUND')?.cause).toBe('unreachable');
    expect(networkProblem('https://api.opper.ai/v2', 'transient', 'ECONNRESET', 'socket hang up')).toBeUndefined();
    const handshake = networkProblem('https://127.0.0.1:4000/v2', 'tls-handshake', 'ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number');
    expect(handshake).toMatchObject({ cause: 'tls-handshake' });
    expect(handshake?.message).toContain('use http://127.0.0.1:4000/v2');
    const silent = networkProblem('http://10.0.0.1/v2', 'no-answer', 'ETIMEDOUT', "Timeout awaiting 'request' for 10000ms");
    expect(silent?.cause).toBe('no-answer');
    expect(silent?.message).toMatch(/^no answer from http:\/\/10\.0\.0\.1\/v2 within the request timeout \(ETIMEDOUT: .*Check baseUrl/);
    expect(retryAfterProblem(86_400_000, 'Thu, 03 Dec 2026 14:00:00 GMT').message).toBe(
      'Opper asked to wait 86400 s (Retry-After: Thu, 03 Dec 2026 14:00:00 GMT); retrying in at most 5 s instead, so that spans flow again soon after it recovers.',
    );
  });
});
