import { afterEach, describe, expect, it } from 'vitest';
import { bumpStreamVersion, syncSources } from '../../store/index.js';
import { entryLinks } from '../../../test/fixtures/web/assertions.js';
import { fixtureEntries, fixtureSources, startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import { SOURCE_PAGE_ENTRIES } from './sources.js';

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

async function get(url: string, options: Parameters<typeof startPortal>[0] = {}) {
  portal ??= await startPortal(options);
  return portal.app.inject(url);
}

describe('GET /sources/:id', () => {
  it('shows the description, the site and feed links, and the newest entries of that source only', async () => {
    // 120 fixture entries give each source 24: more than one page holds.
    const response = await get('/sources/regina-holliday', { entries: fixtureEntries(120) });
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).toContain('<h1>Regina Holliday&#x27;s Medical Advocacy Blog</h1>');
    expect(html).toContain('A place where art, medicine, social media and pop-culture collide');
    expect(html).toContain('<a href="https://regina-holliday.example.org/">Visit Regina Holliday&#x27;s Medical Advocacy Blog</a>');
    expect(html).toContain('<a href="https://regina-holliday.example.org/feed.xml">The original feed of');
    expect(html).toContain('<a href="/conversations?category&#x3D;advocacy">More conversations on “advocacy”</a>');
    const links = entryLinks(html);
    expect(links).toHaveLength(SOURCE_PAGE_ENTRIES);
    expect(links.every((link) => link.startsWith('https://regina-holliday.example.org/posts/'))).toBe(true);
    expect(html).toContain('<a class="more" href="/conversations?source&#x3D;regina-holliday">All conversations from');
    // Its own feeds are offered to feed readers.
    expect(html).toContain('type="application/rss+xml" title="Regina Holliday&#x27;s Medical Advocacy Blog (RSS)" href="/feed.xml?source&#x3D;regina-holliday"');
  });

  it('shows a link-only source with its link and description, and no entries', async () => {
    const response = await get('/sources/spm-facebook');
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).toContain('<h1>Society for Participatory Medicine Facebook page</h1>');
    expect(html).toContain('devoted to promoting the concept of participatory medicine');
    expect(html).toContain('href="https://www.facebook.example.org/participatorymedicine"');
    expect(html).toContain('This source has no feed');
    expect(html).not.toContain('class="entries"');
    expect(html).not.toContain('The original feed of');
  });

  it('offers no "All conversations" link when the page holds them all', async () => {
    const html = (await get('/sources/himss')).body;
    expect(entryLinks(html)).toHaveLength(12);
    expect(html).not.toContain('All conversations from');
  });

  it('says "Nothing fetched yet" for a feed source with no entries', async () => {
    const response = await get('/sources/himss', { entries: {} });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<strong>Nothing fetched yet</strong> from this source.');
  });

  it.each(['/sources/no-such-source', '/sources/UPPER', '/sources/%3Cscript%3E', '/sources/'])('%s is the 404 page', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<h1>Page not found</h1>');
    expect(response.body).not.toContain('<script>');
  });

  it('is a 404 once the source is taken out of the feeds file', async () => {
    expect((await get('/sources/himss')).statusCode).toBe(200);
    await syncSources(portal!.store.db, fixtureSources().filter((s) => s.id !== 'himss'), Date.now());
    portal!.app.webContext.versions.invalidate();
    expect((await get('/sources/himss')).statusCode).toBe(404);
  });

  it('answers a page served before with the same bytes and headers, and is a 404 once its source leaves the stream', async () => {
    const first = await get('/sources/himss');
    const again = await get('/sources/himss');
    expect(again.body).toBe(first.body);
    expect({ ...again.headers, date: undefined }).toEqual({ ...first.headers, date: undefined });
    await syncSources(portal!.store.db, fixtureSources().filter((s) => s.id !== 'himss'), Date.now());
    await bumpStreamVersion(portal!.store.db);
    portal!.app.webContext.versions.invalidate();
    expect((await get('/sources/himss')).statusCode).toBe(404);
  });
});
