import { afterEach, describe, expect, it } from 'vitest';
import { makeSource } from '../../../test/helpers/store.js';
import { startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

/** The xmlUrl of every feed outline, in order. */
function feedUrls(opml: string): string[] {
  return [...opml.matchAll(/<outline\b[^>]*\bxmlUrl="([^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('GET /opml.xml for an operator with 1,000 sources', () => {
  it('lists every source with a feed when no limit is given, and honours ?limit= up to 200', async () => {
    const sources = Array.from({ length: 1000 }, (_, i) => makeSource(`source-${String(i).padStart(4, '0')}`, { category: i % 2 === 0 ? 'even' : 'odd' }));
    sources.push(makeSource('link-only', { feed: undefined }));
    portal = await startPortal({ sources, entries: {} });
    const all = await portal.app.inject('/opml.xml');
    expect(all.statusCode).toBe(200);
    const urls = feedUrls(all.body);
    expect(urls).toHaveLength(1000);
    expect(urls[0]).toBe('https://source-0000.example.org/feed.xml');
    expect(urls.at(-1)).toBe('https://source-0999.example.org/feed.xml');
    expect(feedUrls((await portal.app.inject('/opml.xml?limit=200')).body)).toHaveLength(200);
    expect(feedUrls((await portal.app.inject('/opml.xml?limit=5')).body)).toEqual(urls.slice(0, 5));
    expect(feedUrls((await portal.app.inject('/opml.xml?category=odd')).body)).toHaveLength(500);
    // The complete list and a given limit are cached apart.
    expect(feedUrls((await portal.app.inject('/opml.xml')).body)).toHaveLength(1000);
  });
});
