import { describe, expect, it } from 'vitest';
import { HOSTILE_TITLE, HOSTILE_TITLE_CLEAN, exportFeed, streamEntry } from '../../test/fixtures/export/entries.js';
import { childText, children, elements, parseXml } from '../../test/fixtures/export/xml-dom.js';
import { mintedEntryId } from './model.js';
import { writeRss } from './rss.js';

function firstItem(xml: string): Element {
  const item = elements(parseXml(xml), 'item')[0];
  if (!item) throw new Error('no item');
  return item;
}

describe('writeRss', () => {
  it('writes the channel with its self link and the newest change as lastBuildDate', () => {
    const doc = parseXml(writeRss(exportFeed([streamEntry({ changedAt: Date.UTC(2026, 1, 3, 4, 5, 6) })])));
    const channel = elements(doc, 'channel')[0]!;
    expect(doc.documentElement.getAttribute('version')).toBe('2.0');
    expect(childText(channel, 'title')).toBe('Patient Engagement for Care Teams');
    expect(childText(channel, 'link')).toBe('https://portal.example.org/conversations');
    expect(childText(channel, 'lastBuildDate')).toBe('Tue, 03 Feb 2026 04:05:06 GMT');
    const self = children(channel, 'atom:link')[0]!;
    expect(self.namespaceURI).toBe('http://www.w3.org/2005/Atom');
    expect([self.getAttribute('rel'), self.getAttribute('href'), self.getAttribute('type')]).toEqual([
      'self',
      'https://portal.example.org/feed.xml',
      'application/rss+xml',
    ]);
  });

  it('carries a hostile title through as valid, escaped text', () => {
    const xml = writeRss(exportFeed([streamEntry({ title: HOSTILE_TITLE })], { title: HOSTILE_TITLE }));
    expect(xml).not.toContain('\u0001');
    expect(xml).toContain('AT&amp;T &lt;b&gt; ]]&gt;');
    expect(childText(firstItem(xml), 'title')).toBe(HOSTILE_TITLE_CLEAN);
    expect(childText(elements(parseXml(xml), 'channel')[0]!, 'title')).toBe(HOSTILE_TITLE_CLEAN);
  });

  it('keeps a permalink entry id as the guid, and mints a tag: guid otherwise', () => {
    const permalink = firstItem(writeRss(exportFeed([streamEntry()])));
    const guid = children(permalink, 'guid')[0]!;
    expect(guid.textContent).toBe('https://www.epatientdave.com/2026/01/let-patients-help/');
    expect(guid.getAttribute('isPermaLink')).toBe('true');

    const entry = streamEntry({ entryId: 'tag:blogger.com,1999:blog-1.post-2' });
    const minted = children(firstItem(writeRss(exportFeed([entry]))), 'guid')[0]!;
    expect(minted.getAttribute('isPermaLink')).toBe('false');
    expect(minted.textContent).toBe(mintedEntryId(entry, 'https://portal.example.org/'));
    expect(minted.textContent).toMatch(/^tag:portal\.example\.org,2026:e-patient-dave\/[0-9a-f]{32}$/);
  });

  it('writes link, pubDate, dc:creator, categories, description and the source', () => {
    const item = firstItem(
      writeRss(exportFeed([streamEntry({ link: 'https://x.example/p?a=1&b=2', categories: ['a&b', 'care', ''] })])),
    );
    expect(childText(item, 'link')).toBe('https://x.example/p?a=1&b=2');
    expect(childText(item, 'pubDate')).toBe('Mon, 05 Jan 2026 14:30:00 GMT');
    const creator = children(item, 'dc:creator')[0]!;
    expect([creator.namespaceURI, creator.textContent]).toEqual(['http://purl.org/dc/elements/1.1/', 'Dave deBronkart']);
    expect(children(item, 'category').map((c) => c.textContent)).toEqual(['a&b', 'care']);
    expect(childText(item, 'description')).toBe('<p>Patients are the most <em>underused</em> resource in health care.</p>');
    const source = children(item, 'source')[0]!;
    expect([source.getAttribute('url'), source.textContent]).toEqual(['https://www.epatientdave.com/feed/', "e-Patient Dave's Blog"]);
  });

  it('writes the first usable enclosure with length and type, defaulting both', () => {
    const withBoth = firstItem(
      writeRss(exportFeed([streamEntry({ enclosures: [{ url: 'not a url' }, { url: 'https://c.example/a.mp3', type: 'audio/mpeg', length: 42 }] })])),
    );
    const enclosures = children(withBoth, 'enclosure');
    expect(enclosures).toHaveLength(1);
    expect(['url', 'length', 'type'].map((a) => enclosures[0]!.getAttribute(a))).toEqual(['https://c.example/a.mp3', '42', 'audio/mpeg']);

    const bare = children(firstItem(writeRss(exportFeed([streamEntry({ enclosures: [{ url: 'https://c.example/x' }] })]))), 'enclosure')[0]!;
    expect([bare.getAttribute('length'), bare.getAttribute('type')]).toEqual(['0', 'application/octet-stream']);
  });

  it('leaves out what the entry lacks: link, author, categories, enclosures', () => {
    const item = firstItem(writeRss(exportFeed([streamEntry({ link: '', author: null, categories: [], enclosures: [] })])));
    expect(children(item, 'link')).toHaveLength(0);
    expect(children(item, 'dc:creator')).toHaveLength(0);
    expect(children(item, 'category')).toHaveLength(0);
    expect(children(item, 'enclosure')).toHaveLength(0);
  });

  it('writes an empty stream as a channel with no items', () => {
    const doc = parseXml(writeRss(exportFeed([], { updatedAt: 0 })));
    expect(elements(doc, 'item')).toHaveLength(0);
    expect(childText(elements(doc, 'channel')[0]!, 'lastBuildDate')).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('is a pure function of its input: the same feed gives the same bytes', () => {
    const feed = exportFeed([streamEntry(), streamEntry({ id: 2, entryId: 'x', title: 'Second' })]);
    expect(writeRss(feed)).toBe(writeRss(feed));
  });
});
