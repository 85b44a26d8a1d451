import { describe, expect, it } from 'vitest';
import { outlineFeed } from './outline.js';

describe('outlineFeed', () => {
  it('records xml:base chains and link order for Atom entries', () => {
    const outline = outlineFeed(
      '<feed xml:base="http://a/"><link href="x"/><entry xml:base="e/"><link href="1"/><link xml:base="l/" href="2"/></entry><entry/></feed>',
    );
    expect(outline.rootName).toBe('feed');
    expect(outline.feed.links.map((l) => l.attrs.href)).toEqual(['x']);
    expect(outline.entries).toHaveLength(2);
    expect(outline.entries[0]?.bases).toEqual(['http://a/', 'e/']);
    expect(outline.entries[0]?.links.map((l) => l.bases)).toEqual([['http://a/', 'e/'], ['http://a/', 'e/', 'l/']]);
  });

  it('keeps the source text of content elements, self-closing ones included', () => {
    const outline = outlineFeed('<feed><entry><content type="xhtml"><div>a <b>b</b> c</div></content><summary/></entry></feed>');
    expect(outline.entries[0]?.children.get('content')?.inner).toBe('<div>a <b>b</b> c</div>');
    expect(outline.entries[0]?.children.get('summary')?.inner).toBe('');
  });

  it('finds RSS items in the first channel only, as rss-parser does', () => {
    const outline = outlineFeed('<rss xml:base="http://r/"><channel><item/><item/></channel><channel><item/></channel></rss>');
    expect(outline.hasFeedElement).toBe(true);
    expect(outline.entries).toHaveLength(2);
    expect(outline.entries[1]?.bases).toEqual(['http://r/']);
  });

  it('finds RSS 1.0 items beside the channel', () => {
    const outline = outlineFeed('<rdf:RDF><channel/><item/><item/></rdf:RDF>');
    expect([outline.rootName, outline.hasFeedElement, outline.entries.length]).toEqual(['rdf:RDF', true, 2]);
  });

  it('ignores elements nested deeper than an entry child', () => {
    const outline = outlineFeed('<feed><entry><content><div><link href="inner"/></div></content></entry></feed>');
    expect(outline.entries[0]?.links).toEqual([]);
  });

  it('names the root of what is not a feed', () => {
    expect(outlineFeed('<!DOCTYPE html><html><body/></html>').rootName).toBe('html');
    expect(outlineFeed('no markup').rootName).toBe('');
  });
});
