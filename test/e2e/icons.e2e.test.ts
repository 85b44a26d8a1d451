// Source icons end to end (issue 19, point 5): the portal started as `npm start` starts it, its
// first pass fetching four sources on four loopback origins: a feed's own image (PNG), a site
// page's <link rel="icon"> (GIF), and two /favicon.ico that are not images (an HTML page, an SVG
// with a script). The images are stored and served from the portal's own address with caching
// headers; the others are refused; in Chromium the page asks no host but the portal's.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AxeResults } from 'axe-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main.js';
import { eventually, feedsYaml } from '../fixtures/ops/feeds-yaml.js';
import { startFeedServer, type FeedServer, type Route } from '../fixtures/refresh/feed-server.js';

const ICONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/icons');
const icon = (name: string) => readFileSync(path.join(ICONS, name));
const CHROMIUM = '/usr/bin/chromium';
const AXE_SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const rss = (title: string, image?: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>http://example.invalid/</link>` +
  (image ? `<image><url>${image}</url><title>${title}</title><link>http://example.invalid/</link></image>` : '') +
  `<item><guid>${title}-1</guid><title>${title}: first post</title><link>http://example.invalid/${title}/1</link>` +
  '<pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate><description>Hello.</description></item></channel></rss>';

const send = (type: string, body: string | Buffer): Route => (_req, res) => void res.writeHead(200, { 'content-type': type }).end(body);

let dir: string;
let servers: Record<'pictured' | 'linked' | 'htmlicon' | 'svgicon', FeedServer>;
let running: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'icons-e2e-'));
  const [pictured, linked, htmlicon, svgicon] = await Promise.all([startFeedServer(), startFeedServer(), startFeedServer(), startFeedServer()]);
  servers = { pictured: pictured!, linked: linked!, htmlicon: htmlicon!, svgicon: svgicon! };
  servers.pictured.route('/feed.xml', send('application/rss+xml', rss('pictured', `${servers.pictured.url}logo.png`)));
  servers.pictured.route('/logo.png', send('image/png', icon('icon.png')));
  servers.linked.route('/feed.xml', send('application/rss+xml', rss('linked')));
  servers.linked.route('/', send('text/html', '<!DOCTYPE html><html><head><link rel="icon" href="/static/mark.gif"></head><body></body></html>'));
  servers.linked.route('/static/mark.gif', send('image/gif', icon('icon.gif')));
  servers.htmlicon.route('/feed.xml', send('application/rss+xml', rss('htmlicon')));
  servers.htmlicon.route('/favicon.ico', send('image/x-icon', icon('not-an-icon.html')));
  servers.svgicon.route('/feed.xml', send('application/rss+xml', rss('svgicon')));
  servers.svgicon.route('/favicon.ico', send('image/x-icon', icon('scripted.svg')));

  const feedsFile = path.join(dir, 'feeds.yaml');
  await writeFile(feedsFile, feedsYaml(Object.entries(servers).map(([id, s]) => ({ id, site: s.url, feed: `${s.url}feed.xml` }))));
  let iconsDone = false;
  const logDestination = { write: (line: string) => void (iconsDone ||= line.includes('"icons refreshed"')) };
  const env = { FEEDS_FILE: feedsFile, DATABASE_PATH: path.join(dir, 'portal.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', POLL_SCHEDULE: '0 0 1 1 *' };
  const started = await startServer({ env, isTTY: false, stdout: () => {}, stderr: () => {} }, { logDestination });
  if (typeof started === 'number') throw new Error(`the portal did not start (exit ${started})`);
  running = started;
  await eventually(() => (iconsDone ? true : undefined), 'the icons after the start-up poll pass');
}, 60_000);

afterAll(async () => {
  await running?.close();
  await Promise.all(Object.values(servers ?? {}).map((s) => s.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function home(): Promise<string> {
  const response = await fetch(new URL('/', running.url));
  expect(response.status).toBe(200);
  return response.text();
}

const iconSrcOf = (html: string, id: string) =>
  new RegExp(`href="/sources/${id}"><img class="source-icon" src="([^"]+)" alt="" width="16" height="16">`).exec(html)?.[1];

describe('source icons through a refresh', () => {
  it("shows the feed's image and the page's icon from the portal's own address, and nothing for the refused ones", async () => {
    const html = await home();
    expect(iconSrcOf(html, 'pictured')).toMatch(/^\/icons\/pictured\.[0-9a-f]{16}$/);
    expect(iconSrcOf(html, 'linked')).toMatch(/^\/icons\/linked\.[0-9a-f]{16}$/);
    expect(iconSrcOf(html, 'htmlicon')).toBeUndefined();
    expect(iconSrcOf(html, 'svgicon')).toBeUndefined();
    for (const src of html.match(/<img [^>]*>/g) ?? []) expect(src).toMatch(/src="\/(icons|static)\//);
    // The refused ones were asked for, once: /favicon.ico, after a site page with no icon link.
    expect([servers.htmlicon.hits('/favicon.ico'), servers.svgicon.hits('/favicon.ico')]).toEqual([1, 1]);
    for (const id of ['htmlicon', 'svgicon']) expect((await fetch(new URL(`/icons/${id}`, running.url))).status).toBe(404);
  });

  it('serves a stored image byte for byte with its type, an immutable cache, an ETag and nosniff, and 304 after', async () => {
    for (const [id, file, type] of [['pictured', 'icon.png', 'image/png'], ['linked', 'icon.gif', 'image/gif']] as const) {
      const url = new URL(iconSrcOf(await home(), id)!, running.url);
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(icon(file))).toBe(true);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = response.headers.get('etag');
      expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
      const again = await fetch(url, { headers: { 'if-none-match': etag! } });
      expect(again.status).toBe(304);
    }
  });

  const hasChromium = existsSync(CHROMIUM);
  const required = process.env.CI === 'true';
  it.skipIf(!hasChromium && !required)(`loads the icons in Chromium under the CSP, asking no host but the portal, accessible${hasChromium ? '' : ` (skipped: ${CHROMIUM} is not installed)`}`, async () => {
    const profile = mkdtempSync(path.join(tmpdir(), 'icons-e2e-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const asked: string[] = [];
      const consoleErrors: string[] = [];
      page.on('request', (request) => asked.push(request.url()));
      page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
      await page.goto(running.url, { waitUntil: 'load' });
      const widths = await page.$$eval('img.source-icon', (imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth));
      expect(widths.length).toBeGreaterThanOrEqual(2);
      expect(widths.every((width) => width > 0)).toBe(true);
      const portalOrigin = new URL(running.url).origin;
      expect(asked.filter((url) => new URL(url).origin !== portalOrigin)).toEqual([]);
      expect(consoleErrors).toEqual([]);
      // Decoration: the link's name is the source's name alone, and axe-core finds no WCAG 2.1 A/AA violation.
      await expect(page.locator('main .source-title a[href="/sources/linked"]').innerText()).resolves.toBe('Source linked');
      await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
      const results = await page.evaluate(
        (tags) =>
          (globalThis as unknown as { axe: { run: (ctx: Document, options: object) => Promise<AxeResults> } }).axe.run(document, {
            runOnly: { type: 'tag', values: tags },
          }),
        AXE_TAGS,
      );
      expect(results.passes.length).toBeGreaterThan(10);
      expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);
});
