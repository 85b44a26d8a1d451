import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { saveFetch } from '../store/index.js';
import { makeEntry } from '../../test/helpers/store.js';
import { expectNoInlineCode, expectSecurityHeaders } from '../../test/fixtures/web/assertions.js';
import { NEWEST, startPortal, type TestPortal } from '../../test/fixtures/web/portal-fixture.js';
import { SECURITY_HEADERS } from './plugins/security.js';
import { SECTIONS } from './views/sections.js';

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

async function start(): Promise<TestPortal> {
  portal = await startPortal();
  return portal;
}

const PAGES = ['/', '/conversations', '/sources/regina-holliday', '/sources/onc-twitter', '/search?q=portal', ...SECTIONS.map((s) => s.path)];

describe('every page', () => {
  it.each(PAGES)('%s: 200, HTML in the layout, feed links, security headers, no inline code', async (url) => {
    const { app } = await start();
    const response = await app.inject(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    expect(html).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(html).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(html).toContain('<link rel="alternate" type="application/atom+xml"');
    expect(html).toContain('<link rel="alternate" type="application/feed+json"');
    expect(html).toContain('<a class="skip-link" href="#main">');
    for (const landmark of ['<header', '<nav', '<main id="main"', '<footer']) expect(html).toContain(landmark);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).toContain('<link rel="stylesheet" href="/static/portal.css">');
    expectSecurityHeaders(response);
    expectNoInlineCode(html);
  });

  it('marks the current page in the navigation', async () => {
    const { app } = await start();
    const html = (await app.inject('/about')).body;
    expect(html).toContain('<a href="/about" aria-current="page">About</a>');
    expect(html.match(/aria-current="page"/g)).toHaveLength(1);
  });
});

describe('security headers', () => {
  it.each([
    ['a static file', '/static/portal.css', 200],
    ['the favicon', '/favicon.ico', 200],
    ['a missing page', '/no/such/page', 404],
    ['a bad query', '/conversations?before=%25%25', 400],
  ])('are on %s too', async (_what, url, status) => {
    const { app } = await start();
    const response = await app.inject(url);
    expect(response.statusCode).toBe(status);
    expectSecurityHeaders(response);
  });

  it('are exactly the set @fastify/helmet sent with the portal\'s options, HSTS left to the proxy', async () => {
    const { app } = await start();
    const response = await app.inject('/');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers[name], name).toBe(value);
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'self';script-src 'none';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';" +
        "object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
    );
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('are on a 304 and on a 500', async () => {
    const { app } = await start();
    app.get('/boom', () => {
      throw new Error('store: SQLITE_CORRUPT at /var/secret/portal.db');
    });
    const first = await app.inject('/');
    const notModified = await app.inject({ url: '/', headers: { 'if-none-match': first.headers.etag as string } });
    expect(notModified.statusCode).toBe(304);
    expectSecurityHeaders(notModified);
    const failed = await app.inject('/boom');
    expect(failed.statusCode).toBe(500);
    expectSecurityHeaders(failed);
  });
});

describe('static files', () => {
  it('serves the stylesheet and the icon from public/', async () => {
    const { app } = await start();
    const css = await app.inject('/static/portal.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).toContain('.skip-link');
    const icon = await app.inject('/static/favicon.svg');
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect((await app.inject('/static/../package.json')).statusCode).toBe(404);
  });

  it('compresses the stylesheet for clients that accept it', async () => {
    const { app } = await start();
    const response = await app.inject({ url: '/static/portal.css', headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.rawPayload).toString()).toContain('.skip-link');
  });
});

describe('caching and compression of pages', () => {
  it('answers a cached page conditionally: ETag and Last-Modified, then 304', async () => {
    const { app } = await start();
    for (const url of ['/', '/conversations', '/sources/himss', '/about']) {
      const first = await app.inject(url);
      expect(first.headers.etag, url).toBeDefined();
      expect(first.headers['last-modified'], url).toBeDefined();
      const again = await app.inject({ url, headers: { 'if-none-match': first.headers.etag as string } });
      expect(again.statusCode, url).toBe(304);
      expect(again.body).toBe('');
      const since = await app.inject({ url, headers: { 'if-modified-since': first.headers['last-modified'] as string } });
      expect(since.statusCode, url).toBe(304);
    }
  });

  it('compresses cached pages with br or gzip, once, without compressing twice', async () => {
    const { app } = await start();
    const br = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toContain('Current Conversations');
    const gzip = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toContain('Current Conversations');
    expect(gzip.headers.vary).toBe('Accept-Encoding');
  });

  it('compresses pages made per request (search) through @fastify/compress', async () => {
    const { app } = await start();
    const search = await app.inject({ url: '/search?q=portal', headers: { 'accept-encoding': 'gzip' } });
    expect(search.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(search.rawPayload).toString()).toContain('<mark>');
    const br = await app.inject({ url: '/search?q=portal', headers: { 'accept-encoding': 'br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).toString()).toContain('<mark>');
  });

  it('does not cache search: no ETag, no 304', async () => {
    const { app } = await start();
    const first = await app.inject('/search?q=portal');
    expect(first.headers.etag).toBeUndefined();
    expect(first.headers['cache-control']).toBe('no-cache');
  });

  it('renders a page once per stream version: a poll that changes entries shows at once', async () => {
    const { app, store } = await start();
    const before = await app.inject('/');
    const same = await app.inject('/');
    expect(same.headers.etag).toBe(before.headers.etag);
    await saveFetch(store.db, 'himss', [makeEntry('breaking', { title: 'A brand new conversation', publishedAt: NEWEST + 60_000 })], {
      now: NEWEST + 120_000,
      durationMs: 1,
      nextPollAt: null,
      status: 200,
      maxEntries: 200,
    });
    // The poll runs in this process: main.ts tells the tracker, which rereads the stored version.
    app.webContext.versions.invalidate();
    const after = await app.inject({ url: '/', headers: { 'if-none-match': before.headers.etag as string } });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).toContain('A brand new conversation');
  });

  it('keys the cache by the normalised query: unknown parameters do not make new pages', async () => {
    const { app } = await start();
    await app.inject('/conversations?source=himss');
    const size = app.webContext.cache.size;
    const tracked = await app.inject('/conversations?utm_source=mail&source=himss');
    expect(tracked.statusCode).toBe(200);
    expect(tracked.body).toContain('Conversations from HIMSS Patient Engagement Blog Posts');
    expect(app.webContext.cache.size).toBe(size);
  });
});

describe('the error pages', () => {
  it('hide the text of a 500 behind the site layout, and log it', async () => {
    const { app } = await start();
    app.get('/boom', () => {
      throw new Error('store: SQLITE_CORRUPT at /var/secret/portal.db');
    });
    const response = await app.inject('/boom');
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<h1>Something went wrong</h1>');
    expect(response.body).not.toContain('SQLITE_CORRUPT');
    expect(response.body).not.toContain('/var/secret');
    expect(response.body).toContain('<nav class="site-nav"');
  });

  it('render the 404 page in the layout for unknown paths', async () => {
    const { app } = await start();
    const response = await app.inject('/no/such/page?x=<b>');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<h1>Page not found</h1>');
    expect(response.body).toContain('<footer class="site-footer">');
    expect(response.body).not.toContain('<b>');
  });

  it('turn a bad query string into a 400 page, not a 500', async () => {
    const { app } = await start();
    for (const url of ['/conversations?source=NOT%20A%20SLUG', '/conversations?source=a&source=b', `/search?q=${'x'.repeat(1001)}`]) {
      const response = await app.inject(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.body).toContain('<h1>That request could not be understood</h1>');
    }
  });
});

describe('request logs', () => {
  function capture(level: string): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
    const written: string[] = [];
    const logger = pino({ level }, { write: (line: string) => void written.push(line) });
    return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  it('one line per response: 4xx and 5xx at info with method, url, status and ms; 2xx only at debug', async () => {
    const info = capture('info');
    const { app } = (portal = await startPortal({ deps: { logger: info.logger } }));
    await app.inject('/');
    await app.inject('/no/such/page');
    const lines = info.lines().filter((line) => line.msg === 'web: response');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, method: 'GET', url: '/no/such/page', status: 404 });
    expect(typeof lines[0]?.ms).toBe('number');
    expect(info.lines().map((line) => line.msg)).not.toContain('incoming request');
    expect(info.lines().map((line) => line.msg)).not.toContain('request completed');
  });

  it('logs successful responses too at debug', async () => {
    const debug = capture('debug');
    const { app } = (portal = await startPortal({ deps: { logger: debug.logger } }));
    await app.inject('/');
    const lines = debug.lines().filter((line) => line.msg === 'web: response');
    expect(lines).toEqual([expect.objectContaining({ level: 20, method: 'GET', url: '/', status: 200 })]);
  });
});
