import { describe, expect, it } from '@jest/globals';
import { translateSpan } from '../../src/translate/index.js';
import { makeSpan, parse } from './helpers.js';

const SECRETS = {
  attributes: {
    'url.full': 'https://alice:hunter2@shop.test/cart?item=42&access_token=abc123&X-Amz-Signature=f00d#top',
    'url.query': 'q=shoes&apiKey=sk-live-1&page=2&client_secret=s3cr3t&sig=aa&code=oauth1',
    'http.url': 'http://shop.test/pay?password=pw1&amount=5',
    'http.target': '/pay?session_id=sess1&amount=5',
    'url.path': '/cart',
    'app.note': 'token=visible-on-purpose',
  },
  resource: {
    'service.name': 'shop',
    'process.command_args': ['node', 'app.mjs', '--db-password=pg-secret'],
    'process.command_line': 'node app.mjs --api-key sk-cli',
    'process.environment_variable.DATABASE_URL': 'postgres://u:dbpw@db/x',
    'process.executable.name': 'node',
  },
};
const LEAKS = ['hunter2', 'abc123', 'f00d', 'sk-live-1', 's3cr3t', 'pw1', 'sess1', 'pg-secret', 'sk-cli', 'dbpw', 'oauth1'];

describe('redaction of secrets in standard attributes', () => {
  it('replaces credentials, sensitive query values and command lines by REDACTED by default', () => {
    const { create } = parse(translateSpan(makeSpan(SECRETS), { maxBodyBytes: 512 * 1024 }));
    const meta = create.meta as Record<string, unknown>;
    expect(meta['url.full']).toBe('https://REDACTED:REDACTED@shop.test/cart?item=42&access_token=REDACTED&X-Amz-Signature=REDACTED#top');
    expect(meta['url.query']).toBe('q=shoes&apiKey=REDACTED&page=2&client_secret=REDACTED&sig=REDACTED&code=REDACTED');
    expect(meta['http.url']).toBe('http://shop.test/pay?password=REDACTED&amount=5');
    expect(meta['http.target']).toBe('/pay?session_id=REDACTED&amount=5');
    expect(meta['url.path']).toBe('/cart');
    // Only standard attributes are judged: an attribute of the app's own is the app's choice.
    expect(meta['app.note']).toBe('token=visible-on-purpose');
    expect(meta.resource).toEqual({
      'service.name': 'shop',
      'process.command_args': 'REDACTED',
      'process.command_line': 'REDACTED',
      'process.environment_variable.DATABASE_URL': 'REDACTED',
      'process.executable.name': 'node',
    });
    const sent = JSON.stringify(create).replace('visible-on-purpose', '');
    for (const leak of LEAKS) expect(sent).not.toContain(leak);
  });

  it('keeps a URL without secrets as it is', () => {
    const attributes = { 'url.full': 'https://shop.test/a?b=1&monkeys=2', 'url.query': 'b=1' };
    const { create } = parse(translateSpan(makeSpan({ attributes }), { maxBodyBytes: 512 * 1024 }));
    expect(create.meta).toMatchObject(attributes);
  });

  it('keeps everything with redactSecrets: false', () => {
    const { create } = parse(translateSpan(makeSpan(SECRETS), { maxBodyBytes: 512 * 1024, redactSecrets: false }));
    const sent = JSON.stringify(create);
    for (const leak of LEAKS) expect(sent).toContain(leak);
  });
});
