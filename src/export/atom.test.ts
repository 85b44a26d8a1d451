import { describe, expect, it } from 'vitest';
import { HOSTILE_TITLE, HOSTILE_TITLE_CLEAN, exportFeed, streamEntry } from '../../test/fixtures/export/entries.js';
import { childText, children, elements, parseXml } from '../../test/fixtures/export/xml-dom.js';
import { writeAtom } from './atom.js';
import { mintedEntryId } from './model.js';

const ATOM_NS = 'http://www.w3.org/2005/Atom';

function firstEntry(xml: string): Element {
  const entry = elements(parseXml(xml), 'entry')[0];
  if (!entry) throw new Error('no entry');
  return entry;
}

describe('writeAtom', () => {
  it('writes the feed id, title, updated (the newest change), self and alternate links and an author', () => {
    const doc = parseXml(writeAtom(exportFeed([streamEntry({ changedAt: Date.UTC(2026, 1, 3, 4, 5, 6, 789) })])));
    const feed = doc.documentElement;
    expect([feed.localName, feed.namespaceURI]).toEqual(['feed', ATOM_NS]);
    expect(childText(feed, 'id')).toBe('tag:portal.example.org,2026:stream');
    expect(childText(feed, 'updated')).toBe('2026-02-03T04:05:06.789Z');
    const links = children(feed, 'link').map((l) => [l.getAttribute('rel'), l.getAttribute('href')]);
    expect(links).toEqual([
      ['self', 'https://portal.example.org/feed.xml'],
      ['alternate', 'https://portal.example.org/conversations'],
    ]);
    expect(childText(children(feed, 'author')[0]!, 'name')).toBe('Patient Engagement for Care Teams');
  });

  it('carries a hostile title through as valid text', () => {
    const xml = writeAtom(exportFeed([streamEntry({ title: HOSTILE_TITLE })], { title: HOSTILE_TITLE }));
    expect(xml).not.toContain('\u0001');
    expect(childText(firstEntry(xml), 'title')).toBe(HOSTILE_TITLE_CLEAN);
    expect(childText(parseXml(xml).documentElement, 'title')).toBe(HOSTILE_TITLE_CLEAN);
  });

  it('keeps an original global id (URL, tag:, urn:) and mints a tag: id for anything else', () => {
    for (const entryId of ['https://x.example/p/1', 'tag:blogger.com,1999:blog-1.post-2', 'urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7']) {
      expect(childText(firstEntry(writeAtom(exportFeed([streamEntry({ entryId })]))), 'id')).toBe(entryId);
    }
    const local = streamEntry({ entryId: '12345 <not a uri>' });
    expect(childText(firstEntry(writeAtom(exportFeed([local]))), 'id')).toBe(mintedEntryId(local, 'https://portal.example.org/'));
  });

  it('writes published, updated (never before published), author, categories, summary and html content', () => {
    const entry = firstEntry(
      writeAtom(exportFeed([streamEntry({ updatedAt: Date.UTC(2026, 0, 6), categories: ['a&b', 'care'] })])),
    );
    expect(childText(entry, 'published')).toBe('2026-01-05T14:30:00Z');
    expect(childText(entry, 'updated')).toBe('2026-01-06T00:00:00Z');
    expect(childText(children(entry, 'author')[0]!, 'name')).toBe('Dave deBronkart');
    expect(children(entry, 'category').map((c) => c.getAttribute('term'))).toEqual(['a&b', 'care']);
    expect(childText(entry, 'summary')).toBe('Patients are the most underused resource in health care.');
    const content = children(entry, 'content')[0]!;
    expect(content.getAttribute('type')).toBe('html');
    expect(content.textContent).toBe('<p>Patients are the most <em>underused</em> resource in health care.</p>');

    const early = firstEntry(writeAtom(exportFeed([streamEntry({ updatedAt: Date.UTC(2020, 0, 1) })])));
    expect(childText(early, 'updated')).toBe('2026-01-05T14:30:00Z');
  });

  it('says where the entry came from in <source>: the original feed as id, its title and links', () => {
    const source = children(firstEntry(writeAtom(exportFeed([streamEntry()]))), 'source')[0]!;
    expect(childText(source, 'id')).toBe('https://www.epatientdave.com/feed/');
    expect(childText(source, 'title')).toBe("e-Patient Dave's Blog");
    expect(children(source, 'link').map((l) => [l.getAttribute('rel'), l.getAttribute('href')])).toEqual([
      ['self', 'https://www.epatientdave.com/feed/'],
      ['alternate', 'https://www.epatientdave.com/'],
    ]);
  });

  it("names the original feed by its own Atom id when the source feed has one", () => {
    const entry = streamEntry({ sourceFeedAtomId: 'tag:epatientdave.com,2008:blog' });
    const source = children(firstEntry(writeAtom(exportFeed([entry]))), 'source')[0]!;
    expect(childText(source, 'id')).toBe('tag:epatientdave.com,2008:blog');
  });

  it('writes every usable enclosure as a rel="enclosure" link', () => {
    const entry = firstEntry(
      writeAtom(
        exportFeed([
          streamEntry({
            enclosures: [
              { url: 'https://c.example/a.mp3', type: 'audio/mpeg', length: 42 },
              { url: 'javascript:alert(1)' },
              { url: 'https://c.example/b.pdf', type: 'nonsense' },
            ],
          }),
        ]),
      ),
    );
    const enclosures = children(entry, 'link').filter((l) => l.getAttribute('rel') === 'enclosure');
    expect(enclosures.map((l) => [l.getAttribute('href'), l.getAttribute('type'), l.getAttribute('length')])).toEqual([
      ['https://c.example/a.mp3', 'audio/mpeg', '42'],
      ['https://c.example/b.pdf', null, null],
    ]);
  });

  it('has content even when the entry has no link', () => {
    const entry = firstEntry(writeAtom(exportFeed([streamEntry({ link: '', contentHtml: '', excerpt: '' })])));
    expect(children(entry, 'link')).toHaveLength(0);
    expect(children(entry, 'content')).toHaveLength(1);
  });

  it('writes an empty stream as a feed with no entries', () => {
    const doc = parseXml(writeAtom(exportFeed([], { updatedAt: 0 })));
    expect(elements(doc, 'entry')).toHaveLength(0);
    expect(childText(doc.documentElement, 'updated')).toBe('1970-01-01T00:00:00Z');
  });
});
