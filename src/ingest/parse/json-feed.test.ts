// parseFeed on JSON Feeds 1.0 and 1.1: what each field of the normal form gets, what is refused,
// and (with the sanitizer after it, as a refresh runs them) that hostile content_html comes out harmless.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalEntry, ParsedFeed } from '../../core/types.js';
import { findSanitizeViolations, sanitizeEntry, sanitizeFeedMeta } from '../sanitize/index.js';
import { FeedParseError, parseFeed } from './index.js';
import { repoRoot } from './testing/corpus.js';

const NOW = Date.UTC(2025, 0, 1);
const FETCH_URL = 'https://fetch.example.net/feeds/feed.json';

function fixture(name: string): string {
  return readFileSync(path.join(repoRoot, 'test/fixtures/parse', name), 'utf8');
}

function parseFixture(name: string, fetchUrl = FETCH_URL): Promise<ParsedFeed> {
  return parseFeed(fixture(name), fetchUrl, NOW);
}

function byTitle(feed: ParsedFeed, title: string): NormalEntry {
  const entry = feed.entries.find((e) => e.title === title);
  if (!entry) throw new Error(`no entry titled ${title}`);
  return entry;
}

function feedOf(items: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items, ...extra });
}

describe('parseFeed: JSON Feed 1.0', () => {
  it('reads the feed: title, home page, icon before favicon, feed_url as its id', async () => {
    const feed = await parseFixture('jsonfeed10.json');
    expect(feed).toMatchObject({
      title: 'Care Circle Notes',
      link: 'https://carecircle.example.org/',
      icon: 'https://fetch.example.net/images/icon-512.png', // relative: against the fetch URL
      id: 'https://carecircle.example.org/feed.json',
    });
    expect(feed.entries).toHaveLength(5);
  });

  it('reads an item: a numeric id as a string, dates, author, tags, attachments, HTML content', async () => {
    const [first] = (await parseFixture('jsonfeed10.json')).entries;
    expect(first).toMatchObject({
      entryId: '2024031',
      link: 'https://fetch.example.net/2024/03/shared-notes',
      title: 'Shared notes with the care team',
      author: 'Ingrid Haugen',
      publishedAt: Date.UTC(2024, 2, 5, 15, 30),
      publishedAtGuessed: false,
      updatedAt: Date.UTC(2024, 2, 6, 8, 0),
      categories: ['Caregiving', 'Shared Notes'], // trimmed, blanks and repeats (any case) dropped
      enclosures: [
        { url: 'https://fetch.example.net/audio/shared-notes.mp3', type: 'audio/mpeg', length: 1843200 },
        { url: 'https://cdn.example.org/shared-notes.ogg', type: 'audio/ogg' }, // a negative size is no size
      ],
      baseUrl: FETCH_URL,
    });
    // HTML as given: its relative URLs stay for the sanitizer, which resolves them against baseUrl.
    expect(first?.contentHtml).toContain('<a href="/guides/notes">shared notes</a> &amp; <img src="photos/notes.jpg"');
    expect(first?.contentText).toBe('We tried shared notes & at the clinic.');
  });

  it("content_text is text: escaped, in paragraphs, its line breaks kept; the feed's author stands in", async () => {
    const entry = byTitle(await parseFixture('jsonfeed10.json'), 'A plain text note');
    expect(entry.contentHtml).toBe(
      '<p>First paragraph with &lt;b&gt;no&lt;/b&gt; markup &amp; an ampersand.<br>Second line.</p><p>Second paragraph.</p>',
    );
    // The derived plain text keeps nothing that reads as markup, whatever the source called text.
    expect(entry.contentText).toBe('First paragraph with no markup & an ampersand. Second line. Second paragraph.');
    expect(entry.author).toBe('Care Circle Team');
    // Without an id, the url is the id.
    expect(entry.entryId).toBe('https://carecircle.example.org/2024/03/plain-text');
  });

  it('a date in the future, or none, is the fetch time, marked as guessed', async () => {
    const feed = await parseFixture('jsonfeed10.json');
    expect(byTitle(feed, 'From the future')).toMatchObject({ publishedAt: NOW, publishedAtGuessed: true });
    expect(byTitle(feed, 'No date')).toMatchObject({ publishedAt: NOW, publishedAtGuessed: true });
  });

  it("the item's image leads its content, resolved against the fetch URL", async () => {
    const entry = byTitle(await parseFixture('jsonfeed10.json'), 'No date');
    expect(entry.contentHtml).toBe('<p><img src="https://fetch.example.net/images/walk.jpg" alt=""></p><p>A walk after the meeting.</p>');
  });

  it('an item with neither id, url, title nor date takes the hash of its text, as RSS and Atom entries do', async () => {
    const last = (await parseFixture('jsonfeed10.json')).entries[4];
    expect(last?.link).toBe('');
    expect(last?.entryId).toBe(`hash:${createHash('sha256').update('\n\nOnly some words, no id and no link.', 'utf8').digest('hex')}`);
    const again = (await parseFeed(fixture('jsonfeed10.json'), FETCH_URL, NOW + 3_600_000)).entries[4];
    expect(again?.entryId).toBe(last?.entryId);
  });
});

describe('parseFeed: JSON Feed 1.1', () => {
  it('reads the feed; the favicon is the icon when there is no other', async () => {
    const feed = await parseFixture('jsonfeed11.json');
    expect(feed).toMatchObject({
      title: 'Rural Health IT Digest',
      link: 'https://ruralhit.example.org/digest/',
      icon: 'https://ruralhit.example.org/favicon.png',
      id: 'https://ruralhit.example.org/digest/feed.json',
    });
  });

  it('authors are preferred to author, named ones joined; content_html wins over content_text', async () => {
    const entry = byTitle(await parseFixture('jsonfeed11.json'), 'Telehealth in North Dakota');
    expect(entry).toMatchObject({
      entryId: 'https://ruralhit.example.org/digest/2024/telehealth',
      author: 'Kari Nordquist, Sam Olson',
      contentHtml: '<p>Broadband maps &amp; telehealth.</p>',
      categories: ['Telehealth', 'North Dakota'],
      publishedAt: Date.UTC(2024, 2, 7, 15, 0),
    });
  });

  it("an item without authors has the feed's authors; external_url is the link when url is missing; summary is text", async () => {
    const entry = byTitle(await parseFixture('jsonfeed11.json'), 'Worth reading elsewhere');
    expect(entry).toMatchObject({
      entryId: 'link-1',
      link: 'https://news.example.net/story/42',
      author: 'Digest Editors',
      contentHtml: '<p>A story on &lt;i&gt;patient portals&lt;/i&gt;, summarised as plain text.</p>',
      publishedAt: Date.UTC(2024, 2, 6),
    });
  });

  it('a blank id gives way to the url; an unreadable date_published to date_modified', async () => {
    const entry = byTitle(await parseFixture('jsonfeed11.json'), 'A blank id');
    expect(entry).toMatchObject({
      entryId: 'https://fetch.example.net/feeds/2024/no-real-id',
      link: 'https://fetch.example.net/feeds/2024/no-real-id',
      publishedAt: Date.UTC(2024, 2, 1, 10),
      updatedAt: Date.UTC(2024, 2, 1, 10),
    });
  });

  it('relative URLs follow the address the feed was fetched from (after redirects)', async () => {
    const entry = byTitle(await parseFixture('jsonfeed11.json', 'https://mirror.example.com/x/digest.json'), 'A blank id');
    expect(entry.link).toBe('https://mirror.example.com/x/2024/no-real-id');
    expect(entry.baseUrl).toBe('https://mirror.example.com/x/digest.json');
  });
});

describe('parseFeed: JSON Feed ids and odd values', () => {
  const first = async (item: Record<string, unknown>) => (await parseFeed(feedOf([item]), FETCH_URL, NOW)).entries[0];

  it('a number id is its digits; one too large to be exact, or of another type, gives way to the url', async () => {
    expect((await first({ id: 42, content_text: 'x' }))?.entryId).toBe('42');
    const tooLarge = '{"version":"https://jsonfeed.org/version/1.1","items":[{"id":12345678901234567890,"url":"https://a.example/1"}]}';
    expect((await parseFeed(tooLarge, FETCH_URL, NOW)).entries[0]?.entryId).toBe('https://a.example/1');
    expect((await first({ id: { nested: true }, url: 'https://a.example/2' }))?.entryId).toBe('https://a.example/2');
  });

  it('fields of the wrong type are absent, not errors', async () => {
    const entry = await first({ id: 'x', title: 7, content_html: ['<p>no</p>'], content_text: 'yes', tags: 'not-a-list', authors: 'Ann', attachments: [null, 'a'] });
    expect(entry).toMatchObject({ entryId: 'x', title: '', contentHtml: '<p>yes</p>', categories: [], enclosures: [] });
    expect(entry?.author).toBeUndefined();
  });

  it('a title is plain text: entities are left as written, tags cut', async () => {
    expect((await first({ id: 'x', title: 'AT&amp;T <b>news</b>' }))?.title).toBe('AT&amp;T news');
  });

  it('a byte-order mark before the JSON is no obstacle', async () => {
    expect((await parseFeed(`\uFEFF${feedOf([{ id: 'a' }])}`, FETCH_URL, NOW)).entries).toHaveLength(1);
  });

  it('the version may be http:// or carry a trailing slash', async () => {
    const json = JSON.stringify({ version: 'http://jsonfeed.org/version/1/', items: [{ id: 'a' }] });
    expect((await parseFeed(json, FETCH_URL, NOW)).entries).toHaveLength(1);
  });
});

describe('parseFeed: what is not a readable JSON Feed', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['invalid JSON', fixture('jsonfeed-broken.json'), /^parse: the document is not valid JSON: /],
    ['a JSON array', '[{"id":"1"}]', /^parse: the document is a JSON array, not a feed$/],
    ['JSON without a version', '{"items":[]}', /^parse: the document is JSON, not a feed: it has no "version", where a JSON Feed names https:\/\/jsonfeed\.org\/version\/1\.1$/],
    ['another version', '{"version":"https://example.org/v1","items":[]}', /^parse: the document is JSON, not a feed: its "version" is "https:\/\/example\.org\/v1"/],
    ['items missing', '{"version":"https://jsonfeed.org/version/1.1"}', /^parse: the JSON Feed has no "items"$/],
    ['items not an array', '{"version":"https://jsonfeed.org/version/1.1","items":{"id":"1"}}', /^parse: the JSON Feed's "items" is not an array$/],
    ['an item that is not an object', feedOf([{ id: 'a' }, 'b']), /^parse: item 2 of the JSON Feed is not an object$/],
    ['an item without id, url or content', feedOf([{ id: 'a' }, { title: 'Only a title' }]), /^parse: item 2 of the JSON Feed has no "id", "url" or content$/],
  ];
  it.each(cases)('%s is a FeedParseError', async (_what, text, message) => {
    const failure = parseFeed(text, FETCH_URL, NOW);
    await expect(failure).rejects.toBeInstanceOf(FeedParseError);
    await expect(failure).rejects.toThrow(message);
  });

  it('an empty items array is a feed with no entries', async () => {
    expect((await parseFeed(feedOf([]), FETCH_URL, NOW)).entries).toEqual([]);
  });
});

describe('parseFeed then sanitizeEntry: hostile content_html', () => {
  it('leaves no script, event handler, javascript: or data: URL, frame, style or form; text stays text', async () => {
    const feed = await parseFixture('jsonfeed-hostile.json');
    const meta = sanitizeFeedMeta(feed, FETCH_URL);
    // A plain-text title loses its tags (the words between them stay, as text); a javascript: home page is dropped.
    expect(meta).toEqual({ title: "Hostile alert('title') feed" });
    const [html, text] = feed.entries.map((entry) => sanitizeEntry(entry, FETCH_URL));
    expect(html).toMatchObject({ title: 'Hostile entry', link: '', author: 'Mallory', categories: ["alert('tag')Security"], enclosures: [] });
    expect(html?.contentHtml).toContain('Kept text.');
    expect(html?.contentHtml).toContain('href="https://fetch.example.net/safe"');
    for (const shown of [html?.contentHtml ?? '', text?.contentHtml ?? '']) {
      expect(shown).not.toMatch(/<script|<iframe|<svg|<style|<form|<input|\son\w+=|javascript:|data:|style=/i);
    }
    expect(text?.contentHtml).toBe("<p>&lt;script&gt;alert('text')&lt;/script&gt; is shown as text, not run.</p>");
    const fields = [meta.title ?? '', ...[html, text].flatMap((e) => [e?.title ?? '', e?.link ?? '', e?.author ?? '', e?.contentHtml ?? '', e?.excerpt ?? '', ...(e?.categories ?? [])])];
    expect(fields.flatMap(findSanitizeViolations)).toEqual([]);
  });
});
