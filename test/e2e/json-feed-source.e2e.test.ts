// JSON Feed sources end to end (issue 20): the portal started as `npm start` starts it, its first
// pass fetching JSON Feeds 1.0 and 1.1, a hostile one and a broken one from 127.0.0.1. Their
// entries reach the pages and the exported feeds; the hostile one's markup does not; the broken one
// is on /status as a feed that cannot be read, like a broken XML feed.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main.js';
import { eventually, feedsYaml } from '../fixtures/ops/feeds-yaml.js';
import { startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';

const PARSE_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/parse');

/** What only the hostile feed's markup says: none of it may reach a page or an exported feed. */
const HOSTILE_MARKS = ['onclick', 'onerror', 'onload', 'onmouseover', 'javascript:', 'data:text/html', "alert('script')", "alert('img')", "alert('svg')", 'evil.example.net', 'display:none'];

let dir: string;
let feeds: FeedServer;
let running: RunningServer;

function serveJsonFixture(pathname: string, fixture: string): void {
  const body = readFileSync(path.join(PARSE_FIXTURES, fixture), 'utf8');
  feeds.route(pathname, (_req, res) => void res.writeHead(200, { 'content-type': 'application/feed+json' }).end(body));
}

async function text(pathname: string): Promise<string> {
  const response = await fetch(new URL(pathname, running.url));
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'json-feed-e2e-'));
  feeds = await startFeedServer();
  serveJsonFixture('/digest.json', 'jsonfeed11.json');
  serveJsonFixture('/circle.json', 'jsonfeed10.json');
  serveJsonFixture('/hostile.json', 'jsonfeed-hostile.json');
  serveJsonFixture('/broken.json', 'jsonfeed-broken.json');
  const feedsFile = path.join(dir, 'feeds.yaml');
  await writeFile(
    feedsFile,
    feedsYaml([
      { id: 'digest', feed: `${feeds.url}digest.json`, title: 'Rural Digest' },
      { id: 'circle', feed: `${feeds.url}circle.json`, title: 'Care Circle' },
      { id: 'hostile', feed: `${feeds.url}hostile.json` },
      { id: 'broken', feed: `${feeds.url}broken.json` },
    ]),
  );
  let passDone = false;
  const logDestination = { write: (line: string) => void (passDone ||= line.includes('"poll pass finished"')) };
  const env = { FEEDS_FILE: feedsFile, DATABASE_PATH: path.join(dir, 'portal.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', POLL_SCHEDULE: '0 0 1 1 *' };
  const started = await startServer({ env, isTTY: false, stdout: () => {}, stderr: () => {} }, { logDestination });
  if (typeof started === 'number') throw new Error(`the portal did not start (exit ${started})`);
  running = started;
  await eventually(() => (passDone ? true : undefined), 'the start-up poll pass');
});

afterAll(async () => {
  await running?.close();
  await feeds?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('JSON Feed sources through a refresh', () => {
  it('fetched each feed once, asking for JSON Feed among the types it accepts', () => {
    for (const pathname of ['/digest.json', '/circle.json', '/hostile.json', '/broken.json']) expect(feeds.hits(pathname)).toBe(1);
    expect(feeds.headersOf('/digest.json')[0]?.accept).toContain('application/feed+json');
  });

  it('shows their entries on the home page, the source pages and in search', async () => {
    const home = await text('/');
    expect(home).toContain('Telehealth in North Dakota');
    // Care Circle's three undated entries (dated when fetched) are its three on the home page (issue 19's fair stream).
    expect(home).toContain('more from Care Circle');
    expect(await text('/conversations')).toContain('Shared notes with the care team');
    const circle = await text('/sources/circle');
    expect(circle).toContain('A plain text note');
    // content_text shown as text: its markup-like words escaped, never tags.
    expect(circle).not.toContain('<b>no</b>');
    const digest = await text('/sources/digest');
    expect(digest).toContain('Worth reading elsewhere');
    expect(digest).toContain('href="https://news.example.net/story/42"');
    // Search marks the words it matched: the entry is found by its link.
    expect(await text('/search?q=telehealth')).toContain('href="https://ruralhit.example.org/digest/2024/telehealth"');
  });

  it('re-exports them in RSS, Atom and JSON Feed', async () => {
    for (const pathname of ['/feed.xml?source=digest', '/atom.xml?source=digest']) {
      const body = await text(pathname);
      expect(body).toContain('Telehealth in North Dakota');
      expect(body).toContain('https://ruralhit.example.org/digest/2024/telehealth');
    }
    const exported = JSON.parse(await text('/feed.json?source=circle')) as { items: Array<{ title?: string; url?: string; attachments?: Array<{ url: string }> }> };
    const notes = exported.items.find((item) => item.title === 'Shared notes with the care team');
    // The relative url and attachment resolved against the address the feed was fetched from.
    expect(notes?.url).toBe(`${feeds.url}2024/03/shared-notes`);
    expect(notes?.attachments?.[0]?.url).toBe(`${feeds.url}audio/shared-notes.mp3`);
  });

  it("keeps the hostile feed's text and drops its scripts, handlers and dangerous URLs, on pages and in exports", async () => {
    // Pages show each entry's excerpt, plain text made from what the sanitizer kept.
    const page = await text('/sources/hostile');
    expect(page).toContain('Kept text.');
    expect(page).toContain('is shown as text, not run.');
    expect(page).not.toMatch(/<script|<iframe|<svg/i);
    const exports = await Promise.all(['/feed.xml', '/atom.xml', '/feed.json'].map((p) => text(`${p}?source=hostile`)));
    for (const body of [page, await text('/'), ...exports]) {
      for (const mark of HOSTILE_MARKS) expect(body, mark).not.toContain(mark);
    }
    const item = (JSON.parse(exports[2]!) as { items: Array<{ id: string; content_html?: string }> }).items.find((i) => i.content_html?.includes('Kept text.'));
    expect(item?.content_html).not.toMatch(/<script|<iframe|<svg|<style|<form|\son\w+=|javascript:|style=/i);
    // Its one safe link kept, made absolute against the address the feed came from.
    expect(item?.content_html).toContain(`href="${feeds.url}safe"`);
    const asText = (JSON.parse(exports[2]!) as { items: Array<{ content_html?: string }> }).items.find((i) => i.content_html?.includes('shown as text'));
    expect(asText?.content_html).toContain('&lt;script&gt;');
  });

  it('records the broken feed on /status as one that cannot be read, like a broken XML feed', async () => {
    const status = (await (await fetch(new URL('/status.json', running.url))).json()) as {
      sources: Array<{ id: string; state: string; error_kind: string | null; last_error: string | null; entry_count: number }>;
    };
    const byId = new Map(status.sources.map((s) => [s.id, s]));
    expect(byId.get('broken')).toMatchObject({ state: 'failing', error_kind: 'parse', entry_count: 0 });
    expect(byId.get('digest')).toMatchObject({ state: 'ok', error_kind: null, entry_count: 3 });
    expect(byId.get('circle')).toMatchObject({ state: 'ok', entry_count: 5 });
    expect(await text('/status')).toMatch(/Not a readable feed/);
  });
});
