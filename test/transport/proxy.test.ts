// Which proxy the configuration picks, from the option or an environment given as an object.
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../src/config.js';
import { noProxyMatches, proxyFailure } from '../../src/transport/proxy.js';

const HTTPS = { apiKey: 'k', baseUrl: 'https://api.opper.ai/v2' };
const HTTP = { apiKey: 'k', baseUrl: 'http://opper.internal:8080/v2' };

describe('the proxy from the environment', () => {
  it('is HTTPS_PROXY for an https base URL and HTTP_PROXY for an http one, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://upper-s:3128', https_proxy: 'http://lower-s:3128', HTTP_PROXY: 'http://upper:3128' };
    expect(resolveConfig(HTTPS, env).proxy).toEqual({ url: 'http://lower-s:3128/', source: 'https_proxy' });
    expect(resolveConfig(HTTP, env).proxy).toEqual({ url: 'http://upper:3128/', source: 'HTTP_PROXY' });
    expect(resolveConfig(HTTP, { HTTPS_PROXY: 'http://s:1' }).proxy).toBeUndefined();
    expect(resolveConfig(HTTPS, {}).proxy).toBeUndefined();
  });

  it('is never used for a loopback base URL, which only the proxy option sends through one', () => {
    for (const baseUrl of ['http://127.0.0.1:8080/v2', 'http://localhost:8080/v2', 'https://[::1]/v2']) {
      expect(resolveConfig({ apiKey: 'k', baseUrl }, { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://p:1' }).proxy).toBeUndefined();
      expect(resolveConfig({ apiKey: 'k', baseUrl, proxy: 'http://p:1' }, {}).proxy).toBeDefined();
    }
  });

  it('assumes http:// without a scheme and keeps credentials for the agent', () => {
    expect(resolveConfig(HTTPS, { HTTPS_PROXY: 'user:p%40ss@proxy.corp:8080' }).proxy?.url).toBe('http://user:p%40ss@proxy.corp:8080/');
  });

  it('is skipped when NO_PROXY (or no_proxy, which wins) names the host', () => {
    expect(resolveConfig(HTTPS, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'localhost, .opper.ai' }).proxy).toBeUndefined();
    expect(resolveConfig(HTTPS, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'opper.ai', no_proxy: 'example.com' }).proxy).toBeDefined();
    // NO_PROXY decides before the proxy URL is read: an unusable one for a bypassed host is no problem.
    expect(resolveConfig(HTTPS, { HTTPS_PROXY: 'http://[bad', NO_PROXY: '*' }).environmentProblem).toBeUndefined();
  });

  it('when unusable, is reported naming the variable, never with its credentials, and nothing is sent', () => {
    for (const value of ['http://user:hunter2@[bad:3128', 'socks5://user:hunter2@proxy:1080', 'http://proxy:3128/path']) {
      const config = resolveConfig(HTTPS, { HTTPS_PROXY: value });
      expect(config.environmentProblem).toMatch(/^OpperSpanExporter: HTTPS_PROXY .*; spans will not be exported\.$/);
      expect(config.environmentProblem).not.toContain('hunter2');
      expect(config.proxy).toBeUndefined();
    }
  });
});

describe('the proxy option', () => {
  it('overrides the environment; false turns the environment proxy off', () => {
    const env = { HTTPS_PROXY: 'http://from-env:3128', NO_PROXY: 'api.opper.ai' };
    expect(resolveConfig({ ...HTTPS, proxy: 'https://mine:443' }, env).proxy).toEqual({ url: 'https://mine/', source: 'the proxy option' });
    expect(resolveConfig({ ...HTTPS, proxy: false }, { HTTPS_PROXY: 'http://from-env:3128' }).proxy).toBeUndefined();
    // Even an unusable environment proxy is no problem once the option decides.
    expect(resolveConfig({ ...HTTPS, proxy: false }, { HTTPS_PROXY: '::' }).environmentProblem).toBeUndefined();
  });

  it('throws a TypeError naming the option when it is not a usable proxy URL', () => {
    expect(() => resolveConfig({ ...HTTPS, proxy: 3128 as never })).toThrow(
      new TypeError('OpperSpanExporter: proxy must be a string or false, got 3128'),
    );
    expect(() => resolveConfig({ ...HTTPS, proxy: true as never })).toThrow(
      /^OpperSpanExporter: proxy must be a string or false, got true$/,
    );
    expect(() => resolveConfig({ ...HTTPS, proxy: 'socks5://p:1080' })).toThrow(
      new TypeError('OpperSpanExporter: proxy must be an http(s) proxy, got socks5:'),
    );
    expect(() => resolveConfig({ ...HTTPS, proxy: 'http://u:hunter2@[bad' })).toThrow(
      /proxy is not a valid proxy URL: "http:\/\/\[REDACTED\]@\[bad"/,
    );
  });
});

describe('NO_PROXY matching', () => {
  const target = (url: string) => new URL(url);
  it.each([
    ['*', 'https://api.opper.ai', true],
    ['opper.ai', 'https://api.opper.ai', true],
    ['.opper.ai', 'https://api.opper.ai', true],
    ['*.opper.ai', 'https://opper.ai', true],
    ['API.OPPER.AI', 'https://api.opper.ai', true],
    ['pper.ai', 'https://api.opper.ai', false],
    ['example.com,api.opper.ai:443', 'https://api.opper.ai', true],
    ['api.opper.ai:8443', 'https://api.opper.ai', false],
    ['127.0.0.1', 'http://127.0.0.1:4000', true],
    ['[::1]', 'http://[::1]:4000', true],
    ['[::1]:4000', 'http://[::1]:4000', true],
    ['::1', 'http://[::1]:4000', true],
    ['', 'https://api.opper.ai', false],
  ])('%j for %s: %s', (list, url, expected) => {
    expect(noProxyMatches(list, target(url))).toBe(expected);
  });
});

describe('failures the proxy caused', () => {
  const proxy = 'http://user:pw@proxy:3128/';
  it('are connection failures and non-200 answers to CONNECT, explained without credentials', () => {
    expect(proxyFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), proxy)).toBe(
      'refused the connection (ECONNREFUSED)',
    );
    expect(proxyFailure(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), proxy)).toBe(
      'rejected the credentials in the proxy URL (HTTP 407)',
    );
    expect(proxyFailure(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), 'http://proxy:3128/')).toMatch(
      /^asks for credentials \(HTTP 407\)/,
    );
    expect(proxyFailure(new Error('Proxy response (403) !== 200 when HTTP Tunneling'), proxy)).toBe(
      'refused the tunnel to Opper (HTTP 403)',
    );
    expect(proxyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), proxy)).toBeUndefined();
  });
});
