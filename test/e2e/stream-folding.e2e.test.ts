// A fair stream and one post once, end to end (issue 19): the portal started as `npm start` starts
// it, its first pass fetching three RSS feeds from 127.0.0.1. Two carry the same posts (one by a
// link with utm_ parameters and a trailing slash, one by the same title a day later, and one
// title alike but three days apart, which must not fold); the third posts ten in a burst.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main.js';
import { eventually, feedsYaml } from '../fixtures/ops/feeds-yaml.js';
import { startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Whole days before now, so no date is in the future whenever the test runs. */
const BASE = Math.floor(Date.now() / DAY) * DAY - 20 * DAY;

interface Item {
  title: string;
  link: string;
  at: number;
}

function rss(title: string, items: Item[]): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = items
    .map(
      (item) =>
        `<item><title>${escape(item.title)}</title><link>${escape(item.link)}</link><guid>${escape(item.link)}</guid>` +
        `<pubDate>${new Date(item.at).toUTCString()}</pubDate><description>Notes for care teams.</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${title}</title><link>https://example.org/</link><description>d</description>\n${body}\n</channel></rss>\n`;
}

const FIRST: Item[] = [
  { title: 'Telehealth reaches rural clinics', link: 'https://news.example.org/telehealth', at: BASE },
  { title: 'Open notes for every patient', link: 'https://first.example.org/open-notes', at: BASE + DAY },
  { title: 'Weekly roundup', link: 'https://first.example.org/roundup-1', at: BASE + 2 * DAY },
];
const SECOND: Item[] = [
  { title: 'Rural clinics get telehealth', link: 'HTTPS://News.Example.org/telehealth/?utm_source=rss&utm_campaign=spring', at: BASE + HOUR },
  { title: 'OPEN NOTES for every patient!', link: 'https://second.example.org/notes', at: BASE + DAY + 20 * HOUR },
  { title: 'Weekly Roundup', link: 'https://second.example.org/roundup', at: BASE + 5 * DAY },
];
const BURST: Item[] = Array.from({ length: 10 }, (_, i) => ({ title: `Burst post ${i + 1}`, link: `https://burst.example.org/${i + 1}`, at: BASE + 10 * DAY + i * HOUR }));

let dir: string;
let feeds: FeedServer;
let running: RunningServer | undefined;

async function text(pathname: string): Promise<string> {
  const response = await fetch(new URL(pathname, running!.url));
  expect(response.status).toBe(200);
  return response.text();
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stream-folding-e2e-'));
  feeds = await startFeedServer();
  const serve = (items: Item[], title: string) => (_req: unknown, res: ServerResponse) =>
    void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(title, items));
  feeds.route('/first.xml', serve(FIRST, 'First Voices'));
  feeds.route('/burst.xml', serve(BURST, 'Burst Blog'));
  // The second source answers once the first one's posts are stored: which source had a post
  // first is then known, whatever order the pass fetched them in.
  feeds.route('/second.xml', (req, res) => {
    void eventually(async () => {
      if (!running) return undefined;
      const page = await fetch(new URL('/sources/first', running.url)).then((r) => r.text());
      return page.includes('Telehealth reaches rural clinics') ? true : undefined;
    }, 'the first source stored').then(() => serve(SECOND, 'Second Opinion')(req, res));
  });
  const feedsFile = path.join(dir, 'feeds.yaml');
  await writeFile(
    feedsFile,
    feedsYaml([
      { id: 'first', feed: `${feeds.url}first.xml`, title: 'First Voices' },
      { id: 'second', feed: `${feeds.url}second.xml`, title: 'Second Opinion', category: 'government' },
      { id: 'burst', feed: `${feeds.url}burst.xml`, title: 'Burst Blog' },
    ]),
  );
  let passDone = false;
  const logDestination = { write: (line: string) => void (passDone ||= line.includes('"poll pass finished"')) };
  const env = { FEEDS_FILE: feedsFile, DATABASE_PATH: path.join(dir, 'portal.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', POLL_SCHEDULE: '0 0 1 1 *' };
  const started = await startServer({ env, isTTY: false, stdout: () => {}, stderr: () => {} }, { logDestination });
  if (typeof started === 'number') throw new Error(`the portal did not start (exit ${started})`);
  running = started;
  await eventually(() => (passDone ? true : undefined), 'the start-up poll pass');
}, 60_000);

afterAll(async () => {
  await running?.close();
  await feeds?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one post once', () => {
  it('shows each shared post once on the home page and /conversations, crediting both sources, first first', async () => {
    for (const page of [await text('/'), await text('/conversations')]) {
      expect(count(page, 'Telehealth reaches rural clinics')).toBe(1);
      expect(page).not.toContain('Rural clinics get telehealth');
      expect(count(page, 'Open notes for every patient')).toBe(1);
      expect(page).not.toContain('OPEN NOTES for every patient!');
      // Alike titles three days apart are two posts.
      expect(page).toContain('>Weekly roundup<');
      expect(page).toContain('>Weekly Roundup<');
      expect(count(page, '<span class="entry-also">, also from <a class="entry-source" href="/sources/second">Second Opinion</a></span>')).toBe(2);
    }
  });

  it("keeps each source's own copy on its page", async () => {
    const page = await text('/sources/second');
    expect(page).toContain('Rural clinics get telehealth');
    expect(page).toContain('OPEN NOTES for every patient!');
    expect(page).toContain('also from <a class="entry-source" href="/sources/first">First Voices</a>');
  });

  it('finds a shared post once in search, crediting both', async () => {
    const page = await text('/search?q=telehealth');
    expect(page).toContain('1 result for');
    expect(page).toContain('also from <a class="entry-source" href="/sources/second">Second Opinion</a>');
    expect(await text('/search?q=roundup')).toContain('2 results for');
  });

  it('exports a shared post once in RSS, Atom and JSON Feed; JSON Feed lists every source', async () => {
    for (const pathname of ['/feed.xml', '/atom.xml', '/feed.json']) {
      const body = await text(pathname);
      expect(count(body, '>Telehealth reaches rural clinics<') + count(body, '"title": "Telehealth reaches rural clinics"'), pathname).toBe(1);
      expect(body, pathname).not.toContain('Rural clinics get telehealth');
      expect(body, pathname).not.toContain('OPEN NOTES for every patient!');
    }
    const document = JSON.parse(await text('/feed.json')) as {
      items: { title: string; _source: { id: string }; _sources: { carried_by: { id: string; title: string }[] } }[];
    };
    const shared = document.items.find((item) => item.title === 'Telehealth reaches rural clinics');
    expect(shared?._source.id).toBe('first');
    expect(shared?._sources.carried_by).toEqual([
      { id: 'first', title: 'First Voices' },
      { id: 'second', title: 'Second Opinion' },
    ]);
    const alone = document.items.find((item) => item.title === 'Weekly Roundup');
    expect(alone?._sources.carried_by).toEqual([{ id: 'second', title: 'Second Opinion' }]);
    expect(document.items).toHaveLength(14);
  });
});

describe('a fair stream', () => {
  it('shows 3 of the burst on the home page, with a link to the rest of that source', async () => {
    const home = await text('/');
    expect(count(home, 'Burst post')).toBe(3);
    expect(home).toContain('>Burst post 10<');
    expect(home).toContain('<p class="entry-more"><a href="/conversations?source&#x3D;burst">7 more from Burst Blog</a></p>');
    const rest = await text('/conversations?source=burst');
    expect(count(rest, '>Burst post')).toBe(10);
    expect(count(await text('/conversations'), '>Burst post')).toBe(10);
  });
});
