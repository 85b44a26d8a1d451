import { describe, it, expect } from 'vitest';
import { discoverFeeds } from './discover.js';
import { commonFeedUrls } from './common-paths.js';
import { describeFeed, describePage } from './describe.js';

const page = (head: string, body = '') => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe('discoverFeeds', () => {
  it('finds RSS, Atom and JSON Feed links with their titles, in document order', () => {
    const html = page(`
      <link rel="stylesheet" href="/style.css">
      <link rel="alternate" type="application/rss+xml" title="Blog  &amp;
        friends" href="/feed/">
      <link rel="alternate" type="application/atom+xml" href="https://other.test/atom.xml">
      <link rel="alternate" type="application/feed+json" title="JSON" href="feed.json">
      <link rel="alternate" type="application/json" href="/feed2.json">`);
    expect(discoverFeeds(html, 'https://blog.test/posts/page.html')).toEqual([
      { url: 'https://blog.test/feed/', type: 'application/rss+xml', title: 'Blog & friends' },
      { url: 'https://other.test/atom.xml', type: 'application/atom+xml' },
      { url: 'https://blog.test/posts/feed.json', type: 'application/feed+json', title: 'JSON' },
      { url: 'https://blog.test/feed2.json', type: 'application/json' },
    ]);
  });

  it('resolves hrefs against <base href>, itself resolved against the page', () => {
    const html = page('<base href="/blog/"><link rel="alternate" type="application/rss+xml" href="rss">');
    expect(discoverFeeds(html, 'https://site.test/a/b')).toEqual([
      { url: 'https://site.test/blog/rss', type: 'application/rss+xml' },
    ]);
  });

  it('reads rel tokens and types case-insensitively and drops media-type parameters', () => {
    const html = page(
      '<LINK REL="Alternate Home" TYPE="Application/RSS+XML; charset=utf-8" HREF="/x.xml">',
    );
    expect(discoverFeeds(html, 'https://s.test/')).toEqual([{ url: 'https://s.test/x.xml', type: 'application/rss+xml' }]);
  });

  it('ignores other rels, other types, empty, non-http and duplicate hrefs', () => {
    const html = page(`
      <link rel="alternate" type="text/html" href="/fr/">
      <link rel="alternate stylesheet" type="text/css" href="/alt.css">
      <link rel="feed" type="application/rss+xml" href="/not-alternate.xml">
      <link rel="alternate" type="application/rss+xml" href="">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml" href="/feed#top">
      <link rel="alternate" type="application/rss+xml" href="/feed">`);
    expect(discoverFeeds(html, 'https://s.test/')).toEqual([{ url: 'https://s.test/feed', type: 'application/rss+xml' }]);
  });

  it('finds links in a page with no <head> and in unclosed markup', () => {
    const html = '<title>x</title><link rel=alternate type=application/atom+xml href=/atom.xml><p>hello';
    expect(discoverFeeds(html, 'http://s.test/')).toEqual([{ url: 'http://s.test/atom.xml', type: 'application/atom+xml' }]);
  });

  it('answers [] for a page naming no feed, for garbage and for a bad page URL', () => {
    expect(discoverFeeds(page('<title>No feeds</title>'), 'https://s.test/')).toEqual([]);
    expect(discoverFeeds('\u0000<<<>>>&&&', 'https://s.test/')).toEqual([]);
    expect(discoverFeeds(page('<link rel="alternate" type="application/rss+xml" href="/f">'), 'not a url')).toEqual([]);
  });

  it('falls back to the page URL when <base href> is broken', () => {
    const html = page('<base href="http://[::1"><link rel="alternate" type="application/rss+xml" href="f.xml">');
    expect(discoverFeeds(html, 'https://s.test/dir/')).toEqual([{ url: 'https://s.test/dir/f.xml', type: 'application/rss+xml' }]);
  });
});

describe('commonFeedUrls', () => {
  it('tries the site root for a root page', () => {
    expect(commonFeedUrls('https://s.test/')).toEqual([
      'https://s.test/feed',
      'https://s.test/feed/',
      'https://s.test/rss.xml',
      'https://s.test/atom.xml',
      'https://s.test/feeds/posts/default',
      'https://s.test/index.xml',
    ]);
  });

  it("tries the page's folder before the root", () => {
    const urls = commonFeedUrls('https://s.test/epatients/?p=1');
    expect(urls.slice(0, 2)).toEqual(['https://s.test/epatients/feed', 'https://s.test/epatients/feed/']);
    expect(urls).toContain('https://s.test/feed/');
    expect(urls).toHaveLength(12);
  });

  it('answers [] for a bad URL', () => {
    expect(commonFeedUrls('nope')).toEqual([]);
  });
});

describe('describePage / describeFeed', () => {
  it("reads a page's title and meta description", () => {
    const html = page('<title> My  Blog </title><meta name="Description" content="All about  care.">');
    expect(describePage(html)).toEqual({ title: 'My Blog', description: 'All about care.' });
    expect(describePage(page('<meta property="og:description" content="OG text">'))).toEqual({ description: 'OG text' });
    expect(describePage('')).toEqual({});
  });

  it("reads an RSS channel's description, not an item's", () => {
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title>Item</title><description>item text</description></item>
      <description>Channel &lt;b&gt;text&lt;/b&gt;</description></channel></rss>`;
    expect(describeFeed(xml)).toEqual({ title: 'T', description: 'Channel text' });
  });

  it("reads an Atom feed's subtitle and an RSS 1.0 channel's description", () => {
    expect(describeFeed('<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><subtitle>Sub</subtitle></feed>')).toEqual({
      title: 'A',
      description: 'Sub',
    });
    const rdf = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
      <channel><title>R</title><description>D</description></channel></rdf:RDF>`;
    expect(describeFeed(rdf)).toEqual({ title: 'R', description: 'D' });
    expect(describeFeed('not xml')).toEqual({});
  });

  it("reads a JSON Feed's title and description as plain text, and nothing from broken JSON", () => {
    const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: ' J ', description: 'Plain  <b>text</b>', items: [] });
    expect(describeFeed(json)).toEqual({ title: 'J', description: 'Plain <b>text</b>' });
    expect(describeFeed('{"title": ')).toEqual({});
    expect(describeFeed('{"title": 3, "description": null}')).toEqual({});
  });
});
