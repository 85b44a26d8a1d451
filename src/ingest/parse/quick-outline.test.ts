import { describe, expect, it } from 'vitest';
import { quickOutline } from './quick-outline.js';

describe('quickOutline', () => {
  it('reads the root of a plain Atom feed and of RSS whose first child is the channel', () => {
    expect(quickOutline('<?xml version="1.0"?>\n<!-- hi -->\n<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>')?.rootName).toBe('feed');
    expect(quickOutline('\uFEFF<rss version="2.0">\n  <!-- c -->\n  <channel><title>t</title></channel></rss>')).toMatchObject({ rootName: 'rss', hasFeedElement: true });
    expect(quickOutline('<!DOCTYPE rdf:RDF><rdf:RDF xmlns:rdf="x"><channel rdf:about="y"/></rdf:RDF>')?.rootName).toBe('rdf:RDF');
  });

  it('leaves to the full pre-pass whatever it cannot be sure of', () => {
    expect(quickOutline('<feed xml:base="http://e.org/"><entry/></feed>')).toBeUndefined();
    expect(quickOutline('<!DOCTYPE rss [<!ENTITY x "y">]><rss><channel/></rss>')).toBeUndefined();
    expect(quickOutline('<rss version="2.0"><item/><channel/></rss>')).toBeUndefined();
    expect(quickOutline('<html><body>not a feed</body></html>')).toBeUndefined();
    expect(quickOutline('{"json": true}')).toBeUndefined();
    expect(quickOutline('text first <feed/>')).toBeUndefined();
    expect(quickOutline('<feed/>')).toBeUndefined();
  });
});
