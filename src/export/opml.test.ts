import { describe, expect, it } from 'vitest';
import { HOSTILE_TITLE, HOSTILE_TITLE_CLEAN } from '../../test/fixtures/export/entries.js';
import { childText, elements, parseXml } from '../../test/fixtures/export/xml-dom.js';
import { writeOpml, type OpmlSource } from './opml.js';

function source(id: string, overrides: Partial<OpmlSource> = {}): OpmlSource {
  return {
    id,
    title: `Source ${id}`,
    site_url: `https://${id}.example.org/`,
    feed_url: `https://${id}.example.org/feed.xml`,
    description: `The ${id} blog.`,
    category: 'advocacy',
    ...overrides,
  };
}

const HEAD = { title: 'Patient Engagement for Care Teams', ownerUrl: 'https://portal.example.org/' };

describe('writeOpml', () => {
  it('writes an OPML 2.0 head and one rss outline per source with a feed, in order', () => {
    const doc = parseXml(writeOpml([source('a'), source('link-only', { feed_url: null }), source('b')], HEAD));
    expect(doc.documentElement.getAttribute('version')).toBe('2.0');
    const head = elements(doc, 'head')[0]!;
    expect(childText(head, 'title')).toBe('Patient Engagement for Care Teams');
    expect(childText(head, 'ownerId')).toBe('https://portal.example.org/');
    const outlines = elements(doc, 'outline');
    expect(outlines.map((o) => o.getAttribute('xmlUrl'))).toEqual(['https://a.example.org/feed.xml', 'https://b.example.org/feed.xml']);
    const first = outlines[0]!;
    expect(['type', 'text', 'title', 'htmlUrl', 'description', 'category'].map((a) => first.getAttribute(a))).toEqual([
      'rss',
      'Source a',
      'Source a',
      'https://a.example.org/',
      'The a blog.',
      'advocacy',
    ]);
  });

  it('keeps hostile titles and URLs with & valid and intact', () => {
    const xml = writeOpml(
      [source('h', { title: HOSTILE_TITLE, feed_url: 'https://h.example.org/feed?a=1&b=2', description: 'x "y" <z>' })],
      { title: HOSTILE_TITLE },
    );
    expect(xml).not.toContain('\u0001');
    const outline = elements(parseXml(xml), 'outline')[0]!;
    expect(outline.getAttribute('text')).toBe(HOSTILE_TITLE_CLEAN);
    expect(outline.getAttribute('xmlUrl')).toBe('https://h.example.org/feed?a=1&b=2');
    expect(outline.getAttribute('description')).toBe('x "y" <z>');
    expect(childText(elements(parseXml(xml), 'head')[0]!, 'title')).toBe(HOSTILE_TITLE_CLEAN);
  });

  it('writes an empty body when no source has a feed', () => {
    const doc = parseXml(writeOpml([source('x', { feed_url: null })], HEAD));
    expect(elements(doc, 'body')).toHaveLength(1);
    expect(elements(doc, 'outline')).toHaveLength(0);
  });
});
