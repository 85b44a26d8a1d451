import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../../test/fixtures/fetch/local-server.js';
import { createNetworkGuard } from '../fetch/index.js';
import { findPageIcons, findSourceIcon, ICON_MAX_BYTES, sniffIconType } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../test/fixtures/icons/${name}`, import.meta.url)));
const PNG = fixture('icon.png');
const ICO = fixture('icon.ico');

describe('sniffIconType', () => {
  it.each([
    ['icon.png', 'image/png'],
    ['icon.gif', 'image/gif'],
    ['icon.jpg', 'image/jpeg'],
    ['icon.ico', 'image/x-icon'],
  ])('knows %s by its bytes as %s', (name, type) => {
    expect(sniffIconType(fixture(name))).toBe(type);
  });

  it.each(['scripted.svg', 'not-an-icon.html', 'icon.webp'])('refuses %s', (name) => {
    expect(sniffIconType(fixture(name))).toBeUndefined();
  });

  it('refuses empty and cut-off bytes, and an ICO whose directory points past its end', () => {
    expect(sniffIconType(new Uint8Array())).toBeUndefined();
    expect(sniffIconType(PNG.subarray(0, 8))).toBeUndefined();
    expect(sniffIconType(ICO.subarray(0, 100))).toBeUndefined();
    expect(sniffIconType(Uint8Array.from([0, 0, 1, 0, 0, 0]))).toBeUndefined();
    const cursor = Uint8Array.from(ICO);
    cursor[2] = 2;
    expect(sniffIconType(cursor)).toBeUndefined();
  });
});

describe('findPageIcons', () => {
  const page = (head: string) => `<!DOCTYPE html><html><head>${head}</head><body></body></html>`;

  it('lists icon and shortcut icon links in document order, then apple-touch-icon, as absolute URLs', () => {
    const html = page(`
      <link rel="apple-touch-icon" href="/touch.png">
      <link rel="stylesheet" href="/site.css">
      <link rel="shortcut icon" href="favicon.ico">
      <link rel="ICON" type="image/png" sizes="32x32" href="https://cdn.example.org/i32.png#x">`);
    expect(findPageIcons(html, 'https://example.org/blog/')).toEqual([
      'https://example.org/blog/favicon.ico',
      'https://cdn.example.org/i32.png',
      'https://example.org/touch.png',
    ]);
  });

  it('leaves out SVG icons, mask icons and links that are not http(s); resolves against <base href>', () => {
    const html = page(`
      <base href="https://static.example.org/assets/">
      <link rel="icon" type="image/svg+xml" href="/icon">
      <link rel="icon" href="logo.SVG">
      <link rel="mask-icon" href="mask.png">
      <link rel="icon" href="data:image/png;base64,AAAA">
      <link rel="icon" href="javascript:alert(1)">
      <link rel="icon" href="small.png">`);
    expect(findPageIcons(html, 'https://example.org/')).toEqual(['https://static.example.org/assets/small.png']);
  });
});

describe('findSourceIcon against a local server', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  type Route = { status?: number; type?: string; body: string | Uint8Array; headers?: Record<string, string> };
  async function serve(routes: Record<string, Route>): Promise<LocalServer> {
    server = await startLocalServer((req: http.IncomingMessage, res: http.ServerResponse) => {
      const route = routes[req.url ?? ''];
      if (!route) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE html><title>Not found</title>');
      if (route.headers?.etag && req.headers['if-none-match'] === route.headers.etag) return void res.writeHead(304).end();
      res.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'image/png', ...route.headers }).end(route.body);
    });
    return server;
  }
  const options = { timeoutMs: 5000, userAgent: 'portal-test' };
  const paths = () => server!.requests.map((r) => r.url);

  it("takes the feed's own image first", async () => {
    const local = await serve({ '/logo.png': { body: PNG, headers: { etag: '"p1"' } } });
    const outcome = await findSourceIcon({ feedIcon: `${local.url}logo.png`, siteUrl: local.url }, options);
    expect(outcome.kind).toBe('found');
    if (outcome.kind !== 'found') return;
    expect(outcome.icon).toMatchObject({ url: `${local.url}logo.png`, mediaType: 'image/png', etag: '"p1"' });
    expect(Buffer.from(outcome.icon.bytes).equals(Buffer.from(PNG))).toBe(true);
    expect(outcome.icon.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(paths()).toEqual(['/logo.png']);
  });

  it("falls back to the page's icon link, then /favicon.ico, refusing an SVG and an HTML page on the way", async () => {
    const local = await serve({
      '/': { type: 'text/html', body: '<html><head><link rel="icon" href="/icon.png"><link rel="shortcut icon" href="/icon-b.ico"></head></html>' },
      '/feed-logo.png': { type: 'image/png', body: fixture('scripted.svg') },
      '/icon.png': { type: 'image/png', body: fixture('not-an-icon.html') },
      '/icon-b.ico': { type: 'image/x-icon', body: new Uint8Array(ICON_MAX_BYTES + 1) },
      '/favicon.ico': { type: 'image/vnd.microsoft.icon', body: ICO },
    });
    const outcome = await findSourceIcon({ feedIcon: `${local.url}feed-logo.png`, siteUrl: local.url }, options);
    expect(outcome.kind === 'found' && [outcome.icon.url, outcome.icon.mediaType]).toEqual([`${local.url}favicon.ico`, 'image/x-icon']);
    expect(paths()).toEqual(['/feed-logo.png', '/', '/icon.png', '/icon-b.ico', '/favicon.ico']);
  });

  it("tries at most three of a page's icon links, and /favicon.ico after them", async () => {
    const links = ['/a.png', '/b.png', '/c.png', '/d.png'].map((href) => `<link rel="icon" href="${href}">`).join('');
    const local = await serve({ '/': { type: 'text/html', body: `<head>${links}</head>` }, '/favicon.ico': { type: 'image/x-icon', body: ICO } });
    const outcome = await findSourceIcon({ feedIcon: null, siteUrl: local.url }, options);
    expect(outcome.kind === 'found' && outcome.icon.url).toBe(`${local.url}favicon.ico`);
    expect(paths()).toEqual(['/', '/a.png', '/b.png', '/c.png', '/favicon.ico']);
  });

  it('answers none, with every refusal, when nothing passes: an HTML or SVG favicon.ico is not an icon', async () => {
    for (const [name, type] of [['not-an-icon.html', 'text/html'], ['scripted.svg', 'image/svg+xml']] as const) {
      const local = await serve({ '/': { type: 'text/html', body: '<p>no links</p>' }, '/favicon.ico': { type, body: fixture(name) } });
      const outcome = await findSourceIcon({ feedIcon: null, siteUrl: local.url }, options);
      expect(outcome.kind).toBe('none');
      if (outcome.kind === 'none') expect(outcome.tried.map((t) => t.url)).toEqual([`${local.url}favicon.ico`]);
      expect(outcome.kind === 'none' && outcome.tried[0]?.reason).toContain('not a PNG, GIF, JPEG or ICO');
      await local.close();
      server = undefined;
    }
  });

  it('asks conditionally for the kept image and reports it unchanged on a 304', async () => {
    const local = await serve({ '/logo.png': { body: PNG, headers: { etag: '"p1"' } } });
    const stored = { url: `${local.url}logo.png`, etag: '"p1"', lastModified: null };
    const outcome = await findSourceIcon({ feedIcon: `${local.url}logo.png`, siteUrl: local.url, stored }, options);
    expect(outcome).toEqual({ kind: 'unchanged', url: `${local.url}logo.png` });
    expect(server!.requests[0]?.headers['if-none-match']).toBe('"p1"');
  });

  it("goes through the process's network guard: an icon on a private origin no source names is refused", async () => {
    const local = await serve({ '/': { type: 'text/html', body: '<p>no links</p>' } });
    const internal = await startLocalServer((_req, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
    const guard = createNetworkGuard({ namedSources: () => [{ site: local.url }] });
    try {
      const outcome = await findSourceIcon({ feedIcon: `${internal.url}logo.png`, siteUrl: local.url }, { ...options, guard });
      expect(outcome.kind).toBe('none');
      expect(outcome.kind === 'none' && outcome.tried[0]).toMatchObject({ url: `${internal.url}logo.png`, reason: expect.stringContaining('refused') });
      expect(internal.requests).toHaveLength(0);
    } finally {
      await guard.close();
      await internal.close();
    }
  });

  it('stops when its signal aborts (the process shutting down), with the request still unanswered', async () => {
    const held: http.ServerResponse[] = [];
    server = await startLocalServer((_req, res) => void held.push(res));
    const stop = new AbortController();
    const looking = findSourceIcon({ feedIcon: `${server.url}logo.png`, siteUrl: server.url }, { timeoutMs: 60_000, userAgent: 'portal-test', signal: stop.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    const outcome = await looking;
    expect(outcome).toEqual({ kind: 'none', tried: [{ url: `${server.url}logo.png`, reason: 'fetch: stopped' }, { url: server.url, reason: 'fetch: stopped' }] });
    expect(server.requests.map((r) => r.url)).toEqual(['/logo.png']);
  });

  it('never throws when the site does not answer at all', async () => {
    const local = await serve({});
    const url = local.url;
    await local.close();
    server = undefined;
    const outcome = await findSourceIcon({ feedIcon: null, siteUrl: url }, options);
    expect(outcome.kind).toBe('none');
  });
});
