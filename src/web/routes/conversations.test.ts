import { afterEach, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../core/cursor.js';
import { allMatches, entryLinks } from '../../../test/fixtures/web/assertions.js';
import { fixtureEntries, startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import { bumpStreamVersion } from '../../store/index.js';
import { CONVERSATIONS_PAGE_SIZE } from './conversations.js';
import { describeEachDatabase } from '../../../test/helpers/store.js';

describeEachDatabase('the stream pages', (kind) => {
  let portal: TestPortal | undefined;
  afterEach(async () => {
    await portal?.close();
    portal = undefined;
  });

  async function start(): Promise<TestPortal> {
    portal = await startPortal({ kind });
    return portal;
  }

  function pagerLink(html: string, rel: 'next' | 'prev'): string | undefined {
    const href = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html)?.[1];
    return href?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
  }

  interface Walk {
    pages: string[][];
    urls: string[];
  }

  /** Follows the pager links one way from `start` until there are none. */
  async function walk(p: TestPortal, start: string, rel: 'next' | 'prev'): Promise<Walk> {
    const walked: Walk = { pages: [], urls: [] };
    let url: string | undefined = start;
    while (url && walked.urls.length < 20) {
      const response = await p.app.inject(url);
      expect(response.statusCode, url).toBe(200);
      walked.urls.push(url);
      walked.pages.push(entryLinks(response.body));
      url = pagerLink(response.body, rel);
    }
    return walked;
  }

  const ALL = Object.values(fixtureEntries()).flat();

  describe('GET /conversations', () => {
    it('pages through the whole stream with older links: no gaps, no repeats, newest first', async () => {
      const p = await start();
      const { pages, urls } = await walk(p, '/conversations', 'next');
      expect(pages.map((page) => page.length)).toEqual([CONVERSATIONS_PAGE_SIZE, CONVERSATIONS_PAGE_SIZE, 10]);
      const links = pages.flat();
      expect(new Set(links).size).toBe(60);
      expect(new Set(links)).toEqual(new Set(ALL.map((e) => e.link)));
      const published = links.map((link) => ALL.find((e) => e.link === link)!.publishedAt);
      expect(published).toEqual([...published].sort((a, b) => b - a));
      expect(urls.slice(1).every((url) => /^\/conversations\?before=[\w-]+$/.test(url))).toBe(true);
    });

    it('pages back with newer links to exactly the same pages', async () => {
      const p = await start();
      const down = await walk(p, '/conversations', 'next');
      const up = await walk(p, down.urls[down.urls.length - 1]!, 'prev');
      expect(up.pages).toEqual([...down.pages].reverse());
      expect(up.urls.slice(1).every((url) => /^\/conversations\?after=[\w-]+$/.test(url))).toBe(true);
    });

    it('offers no newer link on the newest page and no older link on the oldest', async () => {
      const p = await start();
      const first = (await p.app.inject('/conversations')).body;
      expect(pagerLink(first, 'prev')).toBeUndefined();
      expect(first).not.toContain('Newest conversations');
      const { urls } = await walk(p, '/conversations', 'next');
      const last = (await p.app.inject(urls[urls.length - 1]!)).body;
      expect(pagerLink(last, 'next')).toBeUndefined();
      expect(last).toContain('<a href="/conversations">Newest conversations</a>');
    });

    it('filters by source, keeping the filter across pages', async () => {
      const p = await start();
      const { pages, urls } = await walk(p, '/conversations?source=himss', 'next');
      const links = pages.flat();
      expect(links).toHaveLength(12);
      expect(links.every((link) => link.startsWith('https://himss.example.org/'))).toBe(true);
      expect(urls.slice(1).every((url) => url.startsWith('/conversations?source=himss&before='))).toBe(true);
      const html = (await p.app.inject('/conversations?source=himss')).body;
      expect(html).toContain('<h1>Conversations from HIMSS Patient Engagement Blog Posts</h1>');
      expect(html).toContain('<option value="himss" selected>');
      expect(html).toContain('href="/feed.xml?source&#x3D;himss"');
    });

    it('filters by category', async () => {
      const p = await start();
      const { pages } = await walk(p, '/conversations?category=policy', 'next');
      const links = pages.flat();
      expect(links).toHaveLength(24);
      expect(links.every((link) => /^https:\/\/(health-it-buzz|himss)\.example\.org\//.test(link))).toBe(true);
      const html = (await p.app.inject('/conversations?category=policy')).body;
      expect(html).toContain('<h1>Conversations in “policy”</h1>');
    });

    it('combines source and category, and treats empty parameters (the form\'s "All") as absent', async () => {
      const p = await start();
      const both = await p.app.inject('/conversations?source=himss&category=policy');
      expect(entryLinks(both.body)).toHaveLength(12);
      const none = await p.app.inject('/conversations?source=himss&category=advocacy');
      expect(none.statusCode).toBe(200);
      expect(entryLinks(none.body)).toEqual([]);
      expect(none.body).toContain('Nothing fetched for this choice yet.');
      const empty = await p.app.inject('/conversations?source=&category=');
      expect(entryLinks(empty.body)).toEqual(entryLinks((await p.app.inject('/conversations')).body));
    });

    it('lists only sources with feeds in the filter form, and every category', async () => {
      const p = await start();
      const html = (await p.app.inject('/conversations')).body;
      const sourceOptions = allMatches(html, /<option value="([a-z0-9-]+)"/);
      expect(sourceOptions).toContain('himss');
      expect(sourceOptions).not.toContain('spm-facebook');
      expect(allMatches(html, /<option value="(advocacy|community|policy|research)"/)).toEqual(['advocacy', 'community', 'policy', 'research']);
    });

    describe('bad queries are 400 pages', () => {
      it.each([
        ['a cursor that is not base64url', '/conversations?before=%3Cscript%3E'],
        ['a cursor of valid characters that is not ours', '/conversations?before=bm90LWEtY3Vyc29y'],
        ['an over-long cursor', `/conversations?after=${'a'.repeat(41)}`],
        ['both before and after', `/conversations?before=${encodeCursor({ publishedAt: 1, id: 1 })}&after=${encodeCursor({ publishedAt: 1, id: 1 })}`],
        ['an unknown source', '/conversations?source=no-such-source'],
        ['an unknown category', '/conversations?category=astrology'],
        ['a source that is not a slug', '/conversations?source=%22%3E%3Cimg%3E'],
      ])('%s', async (_what, url) => {
        const p = await start();
        const response = await p.app.inject(url);
        expect(response.statusCode).toBe(400);
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.body).toContain('<h1>That request could not be understood</h1>');
        expect(response.body).not.toMatch(/<img>|<script>/);
      });

      it('names the unknown source, escaped', async () => {
        const p = await start();
        const response = await p.app.inject('/conversations?category=%3Cb%3Ebold%3C%2Fb%3E');
        expect(response.statusCode).toBe(400);
        expect(response.body).toContain('There is no category called “&lt;b&gt;bold&lt;/b&gt;”.');
      });
    });

    it('shows an honest empty page for a cursor past the end', async () => {
      const p = await start();
      const response = await p.app.inject(`/conversations?before=${encodeCursor({ publishedAt: 0, id: 1 })}`);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('There are no conversations on this page.');
    });

    it('says "Nothing fetched yet" before the first poll', async () => {
      portal = await startPortal({ kind, entries: {} });
      const response = await portal.app.inject('/conversations');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<strong>Nothing fetched yet.</strong>');
    });

    describe('a page served before, answered by its exact URL', () => {
      const withoutDate = (headers: Record<string, unknown>) => ({ ...headers, date: undefined });

      it('gives the same bytes and headers as the first answer, and bad queries after it still their 400', async () => {
        const p = await start();
        const older = pagerLink((await p.app.inject('/conversations')).body, 'next') as string;
        const first = await p.app.inject({ url: older, headers: { 'accept-encoding': 'br, gzip' } });
        const again = await p.app.inject({ url: older, headers: { 'accept-encoding': 'br, gzip' } });
        expect(first.statusCode).toBe(200);
        expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
        expect(withoutDate(again.headers)).toEqual(withoutDate(first.headers));
        const notModified = await p.app.inject({ url: older, headers: { 'if-none-match': first.headers.etag as string } });
        expect(notModified.statusCode).toBe(304);
        expect(notModified.headers['x-frame-options']).toBe('DENY');
        const bad = await p.app.inject(older.replace(/before=[^&]*/, 'before=%3Cscript%3E'));
        expect(bad.statusCode).toBe(400);
        expect(bad.body).toContain('This page could not read its query string (querystring/before must match pattern');
        const unknown = await p.app.inject(older.replace('/conversations?', '/conversations?source=no-such-source&'));
        expect(unknown.statusCode).toBe(400);
        expect(unknown.body).toContain('There is no source called “no-such-source”.');
        expect((await p.app.inject(older)).statusCode).toBe(200);
      });

      it('is rendered again after a poll changed the stream', async () => {
        const p = await start();
        const older = pagerLink((await p.app.inject('/conversations')).body, 'next') as string;
        const before = await p.app.inject(older);
        await p.store.db.updateTable('sources').set({ title: 'A renamed source' }).where('id', '=', 'himss').execute();
        await bumpStreamVersion(p.store.db);
        p.app.webContext.versions.invalidate();
        const after = await p.app.inject(older);
        expect(after.headers.etag).not.toBe(before.headers.etag);
        expect(after.body).toContain('A renamed source');
      });
    });
  });
});
