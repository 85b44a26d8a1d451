// parseFeed on small feeds of every format: what each field of the normal form gets, and what is refused.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalEntry, ParsedFeed } from '../../core/types.js';
import { FeedParseError, parseFeed } from './index.js';
import { repoRoot } from './testing/corpus.js';

const NOW = Date.UTC(2025, 0, 1);
const FETCH_URL = 'https://fetch.example.net/feeds/feed.xml';

function fixture(name: string): string {
  return readFileSync(path.join(repoRoot, 'test/fixtures/parse', name), 'utf8');
}

function parseFixture(name: string): Promise<ParsedFeed> {
  return parseFeed(fixture(name), FETCH_URL, NOW);
}

function byTitle(feed: ParsedFeed, title: string): NormalEntry {
  const entry = feed.entries.find((e) => e.title === title);
  if (!entry) throw new Error(`no entry titled ${title}`);
  return entry;
}

describe('parseFeed: RSS 0.91', () => {
  it('reads channel and items, HTML entities from the DTD included', async () => {
    const feed = await parseFixture('rss091.xml');
    expect(feed.title).toBe('Minnesota e-Health News');
    expect(feed.link).toBe('http://www.health.example.org/ehealth/');
    expect(feed.icon).toBe('http://www.health.example.org/images/logo.gif'); // relative, against the channel link
    expect(feed.entries).toHaveLength(2);
    const [first, second] = feed.entries;
    expect(first?.title).toBe('Café meeting on patient portals');
    expect(first?.contentHtml).toBe('The advisory committee meets <b>Tuesday</b> to discuss &quot;portals&quot;.');
    expect(first?.contentText).toBe('The advisory committee meets Tuesday to discuss "portals".');
    expect(second?.link).toBe('http://www.health.example.org/ehealth/news/2004-04-20.html');
  });

  it('without guid or date: id is the link, date is the fetch time', async () => {
    const [first] = (await parseFixture('rss091.xml')).entries;
    expect(first?.entryId).toBe('http://www.health.example.org/ehealth/news/2004-05-01.html');
    expect(first?.publishedAt).toBe(NOW);
    expect(first?.updatedAt).toBeUndefined();
  });
});

describe('parseFeed: RSS 1.0 (RDF)', () => {
  it('reads items beside the channel, content:encoded over description, Dublin Core fields', async () => {
    const feed = await parseFixture('rss10-rdf.xml');
    expect(feed).toMatchObject({ title: 'Health IT Weekly', link: 'http://hit.example.org/', icon: 'http://hit.example.org/icon.png' });
    const interop = byTitle(feed, 'Interoperability in North Dakota');
    expect(interop).toMatchObject({
      entryId: 'http://hit.example.org/2024/03/interop',
      link: 'http://hit.example.org/2024/03/interop',
      author: 'Kari Nordquist',
      publishedAt: Date.UTC(2024, 2, 5, 15, 30),
      categories: ['Interoperability'],
      contentHtml: '<p>The <em>full</em> story about interoperability.</p>',
      contentText: 'The full story about interoperability.',
    });
    expect(byTitle(feed, 'Notes')).toMatchObject({ contentHtml: 'Only a description here.', publishedAt: Date.UTC(2024, 2, 1) });
  });
});

describe('parseFeed: RSS 2.0', () => {
  it('reads content:encoded, enclosures, guid, categories and the author', async () => {
    const feed = await parseFixture('rss20-content-enclosures.xml');
    expect(feed).toMatchObject({ title: 'Patient Voices Podcast', link: 'https://voices.example.org/', icon: 'https://voices.example.org/cover.jpg' });
    const ep12 = byTitle(feed, 'Episode 12: Shared decision making');
    expect(ep12).toMatchObject({
      entryId: 'voices-episode-12',
      link: 'https://voices.example.org/episodes/12',
      author: 'Regina H.',
      publishedAt: Date.UTC(2024, 2, 5, 20, 0),
      categories: ['Podcast', 'Shared Decisions'], // trimmed, repeats (any case) dropped
      enclosures: [{ url: 'https://cdn.example.org/ep12.mp3', type: 'audio/mpeg', length: 24986239 }],
      baseUrl: 'https://voices.example.org/',
    });
    // Raw HTML: relative URLs stay for the sanitizer, which resolves them against baseUrl.
    expect(ep12.contentHtml).toContain('<a href="/guests/ann">guest page</a>');
    expect(ep12.excerpt).toBe('Full show notes with a guest page and .');
  });

  it('a permalink guid stands in for the link; RSS author e-mail gives way to the name', async () => {
    const ep11 = byTitle(await parseFixture('rss20-content-enclosures.xml'), 'Episode 11');
    expect(ep11.link).toBe('https://voices.example.org/episodes/11');
    expect(ep11.entryId).toBe('https://voices.example.org/episodes/11');
    expect(ep11.author).toBe('Pat Host');
  });

  it('enclosure URLs are made absolute, non-http(s) ones dropped, a bad length omitted', async () => {
    const ep11 = byTitle(await parseFixture('rss20-content-enclosures.xml'), 'Episode 11');
    expect(ep11.enclosures).toEqual([{ url: 'https://voices.example.org/media/ep11.mp3', type: 'audio/mpeg' }]);
  });
});

describe('parseFeed: entries missing things (RSS 2.0)', () => {
  it('an entity-laden title becomes plain text', async () => {
    const [first] = (await parseFixture('rss20-edge-cases.xml')).entries;
    expect(first?.title).toBe('AT&T news and more');
    expect(first?.contentText).toBe('Entities & tags.');
  });

  it('without guid: the id is the absolute link', async () => {
    const entry = byTitle(await parseFixture('rss20-edge-cases.xml'), 'No guid');
    expect(entry.entryId).toBe('http://edge.example.org/news/no-guid');
    expect(entry.link).toBe('http://edge.example.org/news/no-guid');
  });

  it('without guid or link: a hash of title and date, stable across fetches', async () => {
    const entry = byTitle(await parseFixture('rss20-edge-cases.xml'), 'No link and no guid');
    expect(entry.link).toBe('');
    expect(entry.entryId).toMatch(/^hash:[0-9a-f]{64}$/);
    const again = byTitle(await parseFeed(fixture('rss20-edge-cases.xml'), FETCH_URL, NOW + 3_600_000), 'No link and no guid');
    expect(again.entryId).toBe(entry.entryId);
  });

  it('without a date, or with one that cannot be read, publishedAt is the fetch time, marked as guessed', async () => {
    const feed = await parseFixture('rss20-edge-cases.xml');
    expect(byTitle(feed, 'No date')).toMatchObject({ publishedAt: NOW, publishedAtGuessed: true });
    expect(byTitle(feed, 'Unparseable date')).toMatchObject({ publishedAt: NOW, publishedAtGuessed: true });
    expect(byTitle(feed, 'No guid').publishedAtGuessed).toBe(false);
  });

  it('a date in the future is clamped to the fetch time, marked as guessed', async () => {
    expect(byTitle(await parseFixture('rss20-edge-cases.xml'), 'From the future')).toMatchObject({ publishedAt: NOW, publishedAtGuessed: true });
  });

  it('an entry without a title gets an empty title and keeps its text for the excerpt', async () => {
    const entry = (await parseFixture('rss20-edge-cases.xml')).entries.find((e) => e.entryId === 'edge-7');
    expect(entry?.title).toBe('');
    expect(entry?.excerpt).toMatch(/^An entry with no title at all/);
  });

  it('an entry without <title> takes its dc:title', async () => {
    const xml = '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><dc:title>DC &amp; title</dc:title></item></channel></rss>';
    expect((await parseFeed(xml, FETCH_URL, NOW)).entries[0]?.title).toBe('DC & title');
  });

  it('only http(s) links survive', async () => {
    expect(byTitle(await parseFixture('rss20-edge-cases.xml'), 'Bad link scheme').link).toBe('');
  });
});

describe('parseFeed: Atom 1.0 with xml:base', () => {
  it('feed link and icon resolve against the feed xml:base', async () => {
    const feed = await parseFixture('atom10-xml-base.xml');
    expect(feed.title).toBe('Care & Teams'); // type="html", double-escaped ampersand
    expect(feed.link).toBe('https://blog.example.org/care/');
    expect(feed.icon).toBe('https://blog.example.org/favicon.ico');
    expect(feed.id).toBe('tag:blog.example.org,2024:care');
  });

  it('entry links resolve against the entry xml:base, itself relative to the feed one', async () => {
    const [first] = (await parseFixture('atom10-xml-base.xml')).entries;
    expect(first?.link).toBe('https://blog.example.org/care/2024/03/teams-and-patients');
    expect(first?.enclosures).toEqual([{ url: 'https://blog.example.org/files/handout.pdf', type: 'application/pdf', length: 1234 }]);
  });

  it('inline XHTML content keeps its order and its CDATA as text; its own xml:base is the entry base', async () => {
    const [first] = (await parseFixture('atom10-xml-base.xml')).entries;
    expect(first?.contentHtml).toContain('<p>See <a href="photo.html">the photo</a> &amp; <img src="photo.jpg" alt="A photo" /> and &lt;not a tag&gt;.</p>');
    expect(first?.baseUrl).toBe('https://media.example.org/posts/');
  });

  it('reads the XHTML title, author name, label-or-term categories, published and updated', async () => {
    const [first] = (await parseFixture('atom10-xml-base.xml')).entries;
    expect(first).toMatchObject({
      entryId: 'tag:blog.example.org,2024:care/1',
      title: 'Teams and patients',
      author: 'Dana Lee',
      categories: ['Patient Engagement', 'teams'],
      publishedAt: Date.UTC(2024, 2, 5, 15, 0),
      updatedAt: Date.UTC(2024, 2, 6, 8, 0),
    });
  });

  it('a root-relative link, the feed author for an entry without one, updated as the date', async () => {
    const second = (await parseFixture('atom10-xml-base.xml')).entries[1];
    expect(second).toMatchObject({
      link: 'https://blog.example.org/about/entry-two',
      author: 'Care Team Blog',
      title: 'Plain text title',
      publishedAt: Date.UTC(2024, 2, 4, 10, 0),
      contentHtml: '<p>Relative <a href="more.html">link</a></p>',
      baseUrl: 'https://blog.example.org/care/',
    });
  });

  it("the feed's author may be its itunes:author or dc:contributor", async () => {
    const xml = (who: string) => `<feed xmlns="http://www.w3.org/2005/Atom">${who}<entry><id>a</id></entry></feed>`;
    expect((await parseFeed(xml('<itunes:author>Pod Team</itunes:author>'), FETCH_URL, NOW)).entries[0]?.author).toBe('Pod Team');
    expect((await parseFeed(xml('<dc:contributor>Ann</dc:contributor>'), FETCH_URL, NOW)).entries[0]?.author).toBe('Ann');
  });

  it('type="text" content is escaped, not interpreted', async () => {
    const third = (await parseFixture('atom10-xml-base.xml')).entries[2];
    expect(third?.contentHtml).toBe('Plain text with &lt;script&gt; shown as text<br>and a second line.');
    expect(third?.link).toBe('');
    expect(third?.publishedAt).toBe(NOW); // "not a date"
    expect(third?.updatedAt).toBeUndefined();
  });
});

describe('parseFeed: Atom 0.3', () => {
  it('reads escaped titles, base64 content, issued and modified', async () => {
    const feed = await parseFixture('atom03.xml');
    expect(feed.title).toBe('Old Atom feed');
    expect(feed.entries[0]).toMatchObject({
      title: 'Atom 0.3 entry',
      link: 'http://old.example.org/2004/01/entry',
      contentHtml: '<p>Base64 <b>content</b></p>',
      publishedAt: Date.UTC(2004, 0, 1, 19, 48, 21),
      updatedAt: Date.UTC(2004, 0, 2, 10, 0),
      author: 'Old Author',
    });
  });
});

describe('parseFeed: what is not a feed', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['an empty string', '', /^parse: the document is empty$/],
    ['whitespace', '  \n ', /^parse: the document is empty$/],
    ['an HTML page', fixture('html-page.html'), /^parse: the document is an HTML page/],
    ['ill-formed XML', fixture('ill-formed.xml'), /^parse: ill-formed XML: Unexpected close tag \(line 5, column \d+\)$/],
    ['JSON that is not a JSON Feed', '{"title":"A settings file"}', /^parse: the document is JSON, not a feed/],
    ['a JSON array', '[1, 2, 3]', /^parse: the document is a JSON array, not a feed$/],
    ['an OPML file', '<opml version="2.0"><head/><body/></opml>', /^parse: the document is an OPML outline/],
    ['another XML vocabulary', '<svg xmlns="http://www.w3.org/2000/svg"/>', /^parse: unknown root element <svg>/],
    ['RSS without a channel', '<rss version="2.0"><item/></rss>', /^parse: <rss> has no <channel>$/],
    ['plain text', 'just some words', /^parse: the document has no XML element$/],
    ['an undefined entity', '<rss version="2.0"><channel><title>&bogus;</title></channel></rss>', /^parse: ill-formed XML: /],
  ];
  it.each(cases)('%s is a FeedParseError', async (_what, text, message) => {
    const failure = parseFeed(text, FETCH_URL, NOW);
    await expect(failure).rejects.toBeInstanceOf(FeedParseError);
    await expect(failure).rejects.toThrow(message);
  });

  it('a non-string is a FeedParseError too', async () => {
    await expect(parseFeed(undefined as unknown as string, FETCH_URL, NOW)).rejects.toBeInstanceOf(FeedParseError);
  });
});

describe('parseFeed: what rss-parser alone would choke on', () => {
  it('an Atom entry with an unreadable <published> keeps the feed', async () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><title>A</title><published>yesterday</published></entry></feed>';
    const feed = await parseFeed(xml, FETCH_URL, NOW);
    expect(feed.entries[0]).toMatchObject({ entryId: 'a', publishedAt: NOW });
  });

  it('an Atom <link> written as text, and an empty <entry>, keep the feed', async () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><link>http://a.example/</link><entry>\n</entry><entry><link>/x</link></entry></feed>';
    const feed = await parseFeed(xml, FETCH_URL, NOW);
    expect(feed.link).toBe('http://a.example/');
    expect(feed.entries).toHaveLength(2);
    expect(feed.entries[1]?.link).toBe('http://a.example/x');
  });

  it('<rss> without a version is read as RSS 2.0', async () => {
    const feed = await parseFeed('<rss><channel><item><title>T</title></item></channel></rss>', FETCH_URL, NOW);
    expect(feed.entries.map((e) => e.title)).toEqual(['T']);
  });
});

describe("parseFeed: names borrowed from the other format", () => {
  const rss = (item: string) => `<rss version="2.0"><channel><item>${item}</item></channel></rss>`;
  const atom = (entry: string) => `<feed xmlns="http://www.w3.org/2005/Atom"><entry>${entry}</entry></feed>`;
  const first = async (xml: string) => (await parseFeed(xml, FETCH_URL, NOW)).entries[0];

  it('are read when the format\'s own are missing', async () => {
    expect(await first(rss('<id>i</id><published>2024-03-05T10:00:00Z</published><summary>S</summary>'))).toMatchObject({
      entryId: 'i', publishedAt: Date.UTC(2024, 2, 5, 10), contentHtml: 'S',
    });
    expect(await first(atom('<guid>g</guid><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate><description>D</description>'))).toMatchObject({
      entryId: 'g', publishedAt: Date.UTC(2024, 2, 5, 10), contentHtml: 'D',
    });
  });

  it("give way to the format's own", async () => {
    expect(await first(rss('<id>i</id><guid>g</guid><published>2024-01-01</published><pubDate>05 Mar 2024 10:00 GMT</pubDate>'))).toMatchObject({
      entryId: 'g', publishedAt: Date.UTC(2024, 2, 5, 10),
    });
    expect(await first(atom('<guid>g</guid><id>i</id><content:encoded>&lt;p&gt;E&lt;/p&gt;</content:encoded><content>C</content>'))).toMatchObject({
      entryId: 'i', contentHtml: 'C',
    });
  });
});

describe('parseFeed: the derived text of each entry', () => {
  const items = ['First <b>one</b>.', 'Second &amp; <i>two</i>.', 'Third, three.']
    .map((html, i) => `<item><title>T${i}</title><guid>g${i}</guid><description>${html.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</description></item>`)
    .join('');
  const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><link>https://f.example.org/</link>${items}</channel></rss>`;

  it("is each entry's own, whichever entry is read first, and reads as plain data", async () => {
    const { entries } = await parseFeed(xml, FETCH_URL, NOW);
    expect(entries[2]?.contentText).toBe('Third, three.');
    expect(entries.map((e) => e.contentText)).toEqual(['First one.', 'Second & two.', 'Third, three.']);
    expect(entries.map((e) => e.excerpt)).toEqual(['First one.', 'Second & two.', 'Third, three.']);
    for (const entry of entries) {
      // Own, enumerable and nothing hidden: a copy, a JSON round trip or a clone to a worker keeps the text.
      expect(Object.keys(entry)).toEqual(expect.arrayContaining(['contentText', 'excerpt']));
      expect(Object.getOwnPropertySymbols(entry)).toEqual([]);
      expect({ ...entry }).toMatchObject({ contentText: entry.contentText, excerpt: entry.excerpt });
      expect(JSON.parse(JSON.stringify(entry))).toEqual({ ...entry });
      expect(structuredClone(entry)).toEqual({ ...entry });
    }
  });

  it('makes the id of an entry with no guid, link, title or date from that text', async () => {
    const bare = `<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item><description>Only &lt;b&gt;text&lt;/b&gt;.</description></item></channel></rss>`;
    const [entry] = (await parseFeed(bare, FETCH_URL, NOW)).entries;
    expect(entry?.contentText).toBe('Only text.');
    expect(entry?.entryId).toBe(`hash:${createHash('sha256').update('\n\nOnly text.', 'utf8').digest('hex')}`);
  });
});
