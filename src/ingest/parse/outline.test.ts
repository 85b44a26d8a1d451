// readOutline: the root and channel however a document opens, and xml:base and source text when read whole.
import { describe, expect, it } from 'vitest';
import { readOutline } from './outline.js';

describe('readOutline, whole', () => {
  it('records xml:base chains and link order for Atom entries', () => {
    const outline = readOutline(
      '<feed xml:base="http://a/"><link href="x"/><entry xml:base="e/"><link href="1"/><link xml:base="l/" href="2"/></entry><entry/></feed>',
      'whole',
    );
    expect(outline.root).toBe('feed');
    expect(outline.feed.links.map((l) => l.bases)).toEqual([['http://a/']]);
    expect(outline.entries).toHaveLength(2);
    expect(outline.entries[0]?.bases).toEqual(['http://a/', 'e/']);
    expect(outline.entries[0]?.links.map((l) => l.bases)).toEqual([['http://a/', 'e/'], ['http://a/', 'e/', 'l/']]);
  });

  it('keeps the source text of child elements, self-closing ones included', () => {
    const outline = readOutline('<feed><entry><content type="xhtml"><div>a <b>b</b> c</div></content><summary/></entry></feed>', 'whole');
    expect(outline.entries[0]?.children.get('content')?.inner).toBe('<div>a <b>b</b> c</div>');
    expect(outline.entries[0]?.children.get('summary')?.inner).toBe('');
  });

  it('finds RSS items in the first channel only, as rss-parser does', () => {
    const outline = readOutline('<rss xml:base="http://r/"><channel><item/><item/></channel><channel><item/></channel></rss>', 'whole');
    expect(outline.hasChannel).toBe(true);
    expect(outline.entries).toHaveLength(2);
    expect(outline.entries[1]?.bases).toEqual(['http://r/']);
  });

  it('finds RSS 1.0 items beside the channel', () => {
    const outline = readOutline('<rdf:RDF><channel/><item/><item/></rdf:RDF>', 'whole');
    expect([outline.root, outline.hasChannel, outline.entries.length]).toEqual(['rdf:RDF', true, 2]);
  });

  it('ignores elements nested deeper than an entry child', () => {
    const outline = readOutline('<feed><entry><content><div><link href="inner"/></div></content></entry></feed>', 'whole');
    expect(outline.entries[0]?.links).toEqual([]);
  });
});

describe('readOutline, root only', () => {
  it('names the root and finds the channel however the document opens', () => {
    const cases: Array<[string, string, boolean]> = [
      ['<?xml version="1.0"?>\n<!-- hi -->\n<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>', 'feed', true],
      ['\uFEFF<rss version="2.0">\n  <!-- c -->\n  <channel><title>t</title></channel></rss>', 'rss', true],
      ['<!DOCTYPE rdf:RDF><rdf:RDF xmlns:rdf="x"><channel rdf:about="y"/></rdf:RDF>', 'rdf:RDF', true],
      ['<!DOCTYPE rss [<!ENTITY x "y">]><rss><channel/></rss>', 'rss', true],
      ['<rss version="2.0"><item/><channel/></rss>', 'rss', true],
      ['<rss version="2.0"><item/></rss>', 'rss', false],
      ['text first <feed/>', 'feed', true],
      ['<feed/>', 'feed', true],
      ['<!DOCTYPE html><html><body/></html>', 'html', false],
      ['{"json": true}', '', false],
      ['no markup', '', false],
    ];
    for (const [xml, root, hasChannel] of cases) {
      expect(readOutline(xml, 'root'), xml).toMatchObject({ root, hasChannel });
    }
  });

  it('stops there: no entries, whatever follows', () => {
    const outline = readOutline('<rss><channel><item xml:base="http://i/"><title>t</title></item></channel></rss>', 'root');
    expect(outline.entries).toEqual([]);
    expect(readOutline('<feed><entry/><entry/></feed>', 'root').entries).toEqual([]);
  });
});
