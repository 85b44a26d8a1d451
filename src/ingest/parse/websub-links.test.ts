import { describe, expect, it } from 'vitest';
import { findWebSubLinks, parseLinkHeader } from './websub-links.js';

const BASE = 'https://blog.example.org/feeds/posts/default';

describe('findWebSubLinks', () => {
  it('reads rel="hub" and rel="self" from an Atom feed head, not from its entries', () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
      <link rel='hub' href='https://pubsubhubbub.appspot.com/'/>
      <link rel="self" type="application/atom+xml" href="/feeds/posts/default?alt=atom&amp;x=1"/>
      <entry><link rel="hub" href="https://other.example/"/></entry></feed>`;
    expect(findWebSubLinks(atom, BASE)).toEqual({
      hub: 'https://pubsubhubbub.appspot.com/',
      self: 'https://blog.example.org/feeds/posts/default?alt=atom&x=1',
    });
  });

  it('reads atom:link inside an RSS channel, and ignores RSS <link> text', () => {
    const rss = `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><link>https://blog.example.org/</link>
      <atom:link rel="self" href="https://blog.example.org/feed/"/><atom:link href="https://hub.example.net/websub" rel="hub"/>
      <item><title>x</title></item></channel></rss>`;
    expect(findWebSubLinks(rss, BASE)).toEqual({ hub: 'https://hub.example.net/websub', self: 'https://blog.example.org/feed/' });
  });

  it("reads JSON Feed's hubs and feed_url", () => {
    const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', feed_url: 'https://blog.example.org/feed.json', hubs: [{ type: 'rssCloud', url: 'https://cloud.example/' }, { type: 'WebSub', url: 'https://hub.example.net/' }], items: [] });
    expect(findWebSubLinks(json, BASE)).toEqual({ hub: 'https://hub.example.net/', self: 'https://blog.example.org/feed.json' });
  });

  it('keeps only http(s) hubs without credentials', () => {
    for (const href of ['javascript:alert(1)', 'ftp://hub.example/', 'https://user:secret@hub.example/', 'file:///etc/passwd']) {
      expect(findWebSubLinks(`<feed><link rel="hub" href="${href}"/></feed>`, BASE).hub).toBeUndefined();
    }
  });
});

describe('parseLinkHeader', () => {
  it('reads hub and self from HTTP Link headers', () => {
    expect(parseLinkHeader('<https://hub.example.net/>; rel="hub", </feed.xml>; rel=self', BASE)).toEqual({
      hub: 'https://hub.example.net/',
      self: 'https://blog.example.org/feed.xml',
    });
    expect(parseLinkHeader('<https://blog.example.org/>; rel="alternate"', BASE)).toEqual({});
    expect(parseLinkHeader(undefined, BASE)).toEqual({});
  });
});
