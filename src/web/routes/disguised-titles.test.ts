// A feed's title that tries to disguise itself with a right-to-left override and noncharacters:
// from the fetched body through the digest to the pages and the exported feeds, none of them survive.
import { afterEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../../../test/helpers/store.js';
import { startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import { digestFeed } from '../../refresh/index.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0);
/** U+202E (right-to-left override), U+FDD0 and U+1FFFF (noncharacters), U+2066 (an isolate). */
const DISGUISERS = /[\u202E\u2066\uFDD0]|\u{1FFFF}/u;

const FEED = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Care &#x202E;golb&#x202C; news</title>
  <link>https://regina-holliday.example.org/</link>
  <item>
    <title>Open notes &#x202E;fdp.exe&#x202C; for everyone&#xFDD0; \u{1FFFF}today</title>
    <link>https://regina-holliday.example.org/posts/open-notes</link>
    <guid>https://regina-holliday.example.org/posts/open-notes</guid>
    <author>care@example.org (&#x2066;Regina&#x2069;)</author>
    <category>&#x202E;tnemeganam</category>
    <pubDate>Mon, 01 Jun 2026 10:00:00 GMT</pubDate>
    <description>&lt;p&gt;Patients read their own notes.&lt;/p&gt;</description>
  </item>
</channel></rss>`;

let portal: TestPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

async function portalWithFeed(): Promise<TestPortal> {
  const digest = await digestFeed({
    body: FEED,
    feedUrl: 'https://regina-holliday.example.org/feed.xml',
    now: NOW,
    include: [],
    exclude: [],
    maxEntries: 200,
    storedHashes: new Map(),
  });
  if (digest.kind !== 'feed') throw new Error(`the fixture feed did not parse: ${digest.message}`);
  expect(digest.feed.title).toBe('Care golb news');
  portal = await startPortal({ entries: { 'regina-holliday': digest.changed } });
  return portal;
}

describe('a title disguised with bidi controls and noncharacters', () => {
  it('reaches the pages without them', async () => {
    const { app } = await portalWithFeed();
    for (const url of ['/conversations?source=regina-holliday', '/sources/regina-holliday', '/search?q=notes']) {
      // Search marks its matches; the title is the same without them.
      const html = (await app.inject(url)).body.replace(/<\/?mark>/g, '');
      expect(html, url).toContain('Open notes fdp.exe for everyone today');
      expect(html, url).not.toMatch(DISGUISERS);
    }
  });

  it('reaches the RSS, Atom and JSON feeds without them', async () => {
    const { app } = await portalWithFeed();
    for (const url of ['/feed.xml?source=regina-holliday', '/atom.xml?source=regina-holliday', '/feed.json?source=regina-holliday']) {
      const body = (await app.inject(url)).body;
      expect(body, url).toContain('Open notes fdp.exe for everyone today');
      expect(body, url).toContain('tnemeganam');
      expect(body, url).not.toMatch(DISGUISERS);
    }
  });

  it('is cleaned on the pages even when it was stored before ingest cleaned it', async () => {
    const stored = makeEntry('old-1', { title: 'Old \u202Etxt.exe\u202C post\u{10FFFE}', author: '\u2067Jo\u2069', publishedAt: NOW - 60_000 });
    portal = await startPortal({ entries: { 'regina-holliday': [stored] } });
    const html = (await portal.app.inject('/conversations')).body;
    expect(html).toContain('Old txt.exe post');
    expect(html).toContain('by Jo</span>');
    expect(html).not.toMatch(/[\u202E\u2067]|\u{10FFFE}/u);
  });
});
