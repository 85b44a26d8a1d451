import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOSTILE_TITLE_CLEAN, hostileEntries } from '../../../test/fixtures/export/entries.js';
import { SEEDED_AT, startFeedApp, type FeedApp } from '../../../test/fixtures/export/feed-app.js';
import { childText, children, elements, parseXml } from '../../../test/fixtures/export/xml-dom.js';
import { describeEachDatabase, makeEntry } from '../../../test/helpers/store.js';
import { cleanXmlText } from '../../export/index.js';
import { listStream } from '../../store/index.js';

describeEachDatabase('the exported feeds', (kind) => {
  let feeds: FeedApp;

  beforeEach(async () => {
    feeds = await startFeedApp(undefined, kind);
  });

  afterEach(async () => {
    await feeds.close();
  });

  function get(url: string, headers: Record<string, string> = {}) {
    return feeds.app.inject({ method: 'GET', url, headers });
  }

  async function rssItemTitles(url: string): Promise<string[]> {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    return elements(parseXml(response.body), 'item').map((item) => childText(item, 'title') ?? '');
  }

  let ALL_TITLES_NEWEST_FIRST: string[] = [];

  beforeEach(async () => {
    // What the database holds (SQLite turns a lone surrogate into U+FFFD), less what XML forbids.
    const { entries } = await listStream(feeds.store.db, { limit: 200 });
    ALL_TITLES_NEWEST_FIRST = entries.map((e) => cleanXmlText(e.title));
    expect(ALL_TITLES_NEWEST_FIRST[0]).toBe(HOSTILE_TITLE_CLEAN);
    expect(ALL_TITLES_NEWEST_FIRST).toHaveLength(6);
  });

  describe('feed routes: formats and content types', () => {
    it.each([
      ['/feed.xml', 'application/rss+xml; charset=utf-8'],
      ['/atom.xml', 'application/atom+xml; charset=utf-8'],
      ['/feed.json', 'application/feed+json; charset=utf-8'],
      ['/opml.xml', 'text/x-opml; charset=utf-8'],
    ])('%s answers 200 with %s', async (url, contentType) => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe(contentType);
      expect(response.headers.etag).toMatch(/^"[\w-]+"$/);
      expect(response.headers['last-modified']).toBeDefined();
    });

    it('serves the whole active stream newest first, in every format', async () => {
      expect(await rssItemTitles('/feed.xml')).toEqual(ALL_TITLES_NEWEST_FIRST);
      const atom = parseXml((await get('/atom.xml')).body);
      expect(elements(atom, 'entry').map((e) => childText(e, 'title'))).toEqual(ALL_TITLES_NEWEST_FIRST);
      const json = (await get('/feed.json')).json<{ items: { title: string; _source: { id: string; title: string } }[] }>();
      expect(json.items.map((i) => i.title)).toEqual(ALL_TITLES_NEWEST_FIRST);
      expect(json.items[3]!._source).toMatchObject({ id: 'himss', title: 'HIMSS News & <Insights> ]]>' });
    });

    it('lists in OPML only the sources that have a feed', async () => {
      const outlines = elements(parseXml((await get('/opml.xml')).body), 'outline');
      expect(outlines.map((o) => o.getAttribute('xmlUrl'))).toEqual([
        'https://www.epatientdave.com/feed/',
        'https://www.himss.org/news/feed.xml?format=rss&lang=en',
      ]);
    });

    it('answers HEAD like GET, without a body', async () => {
      const response = await feeds.app.inject({ method: 'HEAD', url: '/atom.xml' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
      expect(response.body).toBe('');
    });
  });

  describe('feed routes: filters and limits', () => {
    it('filters by source, and the title, self and alternate links say so', async () => {
      const response = await get('/feed.xml?source=himss');
      const channel = elements(parseXml(response.body), 'channel')[0]!;
      expect(childText(channel, 'title')).toBe('Patient Engagement for Care Teams — HIMSS News & <Insights> ]]>');
      expect(childText(channel, 'link')).toBe('https://portal.example.org/conversations?source=himss');
      expect(children(channel, 'atom:link')[0]!.getAttribute('href')).toBe('https://portal.example.org/feed.xml?source=himss');
      expect(elements(channel as unknown as Document, 'item').map((i) => childText(i, 'title'))).toEqual(ALL_TITLES_NEWEST_FIRST.slice(3));
    });

    it('filters by category', async () => {
      expect(await rssItemTitles('/feed.xml?category=advocacy')).toEqual(ALL_TITLES_NEWEST_FIRST.slice(0, 3));
      const atom = parseXml((await get('/atom.xml?category=policy')).body).documentElement;
      expect(childText(atom, 'title')).toBe('Patient Engagement for Care Teams — policy');
      const links = children(atom, 'link').map((l) => [l.getAttribute('rel'), l.getAttribute('href')]);
      expect(links).toEqual([
        ['self', 'https://portal.example.org/atom.xml?category=policy'],
        ['alternate', 'https://portal.example.org/conversations?category=policy'],
      ]);
      const opml = elements(parseXml((await get('/opml.xml?category=policy')).body), 'outline');
      expect(opml.map((o) => o.getAttribute('text'))).toEqual(['HIMSS News & <Insights> ]]>']);
    });

    it('limits the number of items, and the self link carries the limit', async () => {
      expect(await rssItemTitles('/feed.xml?limit=2')).toEqual(ALL_TITLES_NEWEST_FIRST.slice(0, 2));
      const json = (await get('/feed.json?limit=1&source=e-patient-dave')).json<{ feed_url: string; items: unknown[] }>();
      expect(json.items).toHaveLength(1);
      expect(json.feed_url).toBe('https://portal.example.org/feed.json?source=e-patient-dave&limit=1');
    });

    it('caps the default at 50 and the maximum at 200 items', async () => {
      const many = Array.from({ length: 210 }, (_, i) => makeEntry(`bulk-${i}`, { publishedAt: Date.UTC(2025, 0, 1) + i * 60_000 }));
      await feeds.storeEntries('e-patient-dave', many, SEEDED_AT + 1000);
      expect(await rssItemTitles('/feed.xml')).toHaveLength(50);
      expect(await rssItemTitles('/feed.xml?limit=200')).toHaveLength(200);
    });

    it('serves an empty feed for a source without entries, dated when the source was added', async () => {
      const response = await get('/atom.xml?source=onc-facebook');
      expect(response.statusCode).toBe(200);
      const feed = parseXml(response.body).documentElement;
      expect(elements(feed as unknown as Document, 'entry')).toHaveLength(0);
      expect(childText(feed, 'updated')).toBe('2026-06-01T12:00:00Z');
      expect(response.headers['last-modified']).toBe(new Date(SEEDED_AT).toUTCString());
    });

    it.each([
      ['/feed.xml?limit=0', /limit must be a whole number from 1 to 200, got "0"/],
      ['/feed.xml?limit=201', /limit must be a whole number from 1 to 200/],
      ['/atom.xml?limit=ten', /limit must be a whole number/],
      ['/feed.json?limit=2.5', /limit must be a whole number/],
      ['/feed.json?limit=', /limit must be a whole number/],
      ['/feed.xml?source=nobody', /unknown source "nobody"/],
      ['/atom.xml?category=sports', /no source has category "sports"; the categories are: advocacy, policy/],
      ['/feed.xml?source=himss&source=e-patient-dave', /parameter "source" given 2 times/],
      ['/opml.xml?limit=5&limit=6', /parameter "limit" given 2 times/],
      ['/feed.xml?page=2', /unknown parameter "page"/],
    ])('%s is a 400 with a clear message', async (url, message) => {
      const response = await get(url);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toMatch(/^feeds: /);
      expect(response.body).toMatch(message);
    });
  });

  describe('feed routes: conditional requests and caching', () => {
    it('answers If-None-Match with the ETag with 304 and no body', async () => {
      const first = await get('/feed.xml');
      const again = await get('/feed.xml', { 'if-none-match': first.headers.etag as string });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(first.headers.etag);
      expect((await get('/feed.xml', { 'if-none-match': '"something-else"' })).statusCode).toBe(200);
    });

    it('dates Last-Modified by the newest changed entry and answers If-Modified-Since with 304', async () => {
      const first = await get('/atom.xml');
      expect(first.headers['last-modified']).toBe(new Date(SEEDED_AT).toUTCString());
      expect((await get('/atom.xml', { 'if-modified-since': first.headers['last-modified'] as string })).statusCode).toBe(304);
      const earlier = new Date(SEEDED_AT - 1000).toUTCString();
      expect((await get('/atom.xml', { 'if-modified-since': earlier })).statusCode).toBe(200);
    });

    it('keeps ETag, Last-Modified and body when the stream version moves but nothing changed', async () => {
      for (const url of ['/feed.xml', '/atom.xml', '/feed.json', '/opml.xml']) {
        const before = await get(url);
        feeds.bumpVersion();
        const after = await get(url);
        expect(after.body).toBe(before.body);
        expect(after.headers.etag).toBe(before.headers.etag);
        expect(after.headers['last-modified']).toBe(before.headers['last-modified']);
      }
    });

    it('changes ETag and Last-Modified when an entry changes', async () => {
      const before = await get('/feed.json');
      const changedAt = SEEDED_AT + 3_600_000;
      const himss = hostileEntries().himss!;
      await feeds.storeEntries('himss', [{ ...himss[1]!, title: 'An entry without a link, retitled', contentHash: 'changed' }], changedAt);
      const after = await get('/feed.json', { 'if-none-match': before.headers.etag as string });
      expect(after.statusCode).toBe(200);
      expect(after.headers.etag).not.toBe(before.headers.etag);
      expect(after.headers['last-modified']).toBe(new Date(changedAt).toUTCString());
      expect(after.json<{ items: { title: string }[] }>().items.map((i) => i.title)).toContain('An entry without a link, retitled');
    });

    it('leaves a filtered feed alone when a change happens outside its filter', async () => {
      const before = await get('/feed.xml?source=e-patient-dave');
      const himss = hostileEntries().himss!;
      await feeds.storeEntries('himss', [{ ...himss[0]!, title: 'Retitled', contentHash: 'changed' }], SEEDED_AT + 7_200_000);
      const after = await get('/feed.xml?source=e-patient-dave', { 'if-none-match': before.headers.etag as string });
      expect(after.statusCode).toBe(304);
    });

    it('shares one cached body between no limit and the default limit', async () => {
      const plain = await get('/feed.xml');
      const explicit = await get('/feed.xml?limit=50');
      expect(explicit.headers.etag).toBe(plain.headers.etag);
    });

    it('compresses once, through the cache (no double encoding by the compression plugin)', async () => {
      const response = await feeds.app.inject({ method: 'GET', url: '/feed.xml', headers: { 'accept-encoding': 'gzip' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-encoding']).toBe('gzip');
      expect(response.headers.vary).toMatch(/Accept-Encoding/i);
      const xml = gunzipSync(response.rawPayload).toString('utf8');
      expect(xml).toBe((await get('/feed.xml')).body);
    });
  });
});
