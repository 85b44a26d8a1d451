// Every exported document says exactly what is stored: random text rich in markup characters,
// entity-like sequences, controls and astral characters, written by each exporter and read back by
// a conformant XML parser (saxes) or JSON.parse, equals the stored value. XML 1.0 cannot carry some
// characters at all (C0 controls, lone surrogates, U+FFFE/U+FFFF): those are dropped, nothing else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportFeed, streamEntry } from '../../test/fixtures/export/entries.js';
import { childrenNamed, onlyChild, readXmlStrict, textOf, type XmlElement } from '../../test/fixtures/export/strict-xml.js';
import { writeAtom } from './atom.js';
import { writeJsonFeed, type JsonFeedDocument } from './json-feed.js';
import { entryHtml, type ExportFeed, type StreamEntry } from './model.js';
import { writeOpml } from './opml.js';
import { writeRss } from './rss.js';
import { cleanXmlText as clean } from './xml-text.js';

/** Pieces that have broken XML writers: entities, references, CDATA ends, quotes, whitespace, controls. */
const TRICKY = [
  '&', '<', '>', '"', "'", ';', '#', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&eacute;', '&nbsp;', '&#60;', '&#x3c;',
  '&#0;', '&#xD;', '&lt;script&gt;', '<![CDATA[', ']]>', '<!--', '-->', '<?xml', '\t', '\n', '\r', '\r\n', ' ',
  '\u0000', '\u0001', '\u000B', '\u001F', '\u007F', '\u0085', '\u00A0', '\u2028', '\u202E', '\uFEFF', '\uFFFD',
  '\uFFFE', '\uFFFF', '\uD800', '\uDFFF', '\u{1F600}', '\u{10FFFF}', 'é', 'ß',
];

const trickyText = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 4 }), fc.string({ maxLength: 6 })), { maxLength: 12 })
  .map((pieces) => pieces.join(''));

interface Stored {
  feedTitle: string;
  feedDescription: string;
  title: string;
  author: string;
  categories: string[];
  excerpt: string;
  contentHtml: string;
  sourceTitle: string;
}

const storedValues: fc.Arbitrary<Stored> = fc.record({
  feedTitle: trickyText,
  feedDescription: trickyText,
  title: trickyText,
  author: trickyText,
  categories: fc.array(trickyText, { maxLength: 3 }),
  excerpt: trickyText,
  contentHtml: trickyText,
  sourceTitle: trickyText,
});

function feedOf(stored: Stored): { feed: ExportFeed; entry: StreamEntry } {
  const entry = streamEntry({
    title: stored.title,
    author: stored.author,
    categories: stored.categories,
    excerpt: stored.excerpt,
    contentHtml: stored.contentHtml,
    sourceTitle: stored.sourceTitle,
  });
  return { feed: exportFeed([entry], { title: stored.feedTitle, description: stored.feedDescription }), entry };
}

/** What the writers leave out when empty, so the expectations say the same. */
const present = (text: string) => text !== '';

function checkRss(stored: Stored): void {
  const { feed, entry } = feedOf(stored);
  const channel = onlyChild(readXmlStrict(writeRss(feed)), 'channel');
  expect(textOf(channel, 'title')).toBe(clean(stored.feedTitle));
  expect(textOf(channel, 'description')).toBe(clean(stored.feedDescription || stored.feedTitle));
  const item = onlyChild(channel, 'item');
  expect(textOf(item, 'title')).toBe(clean(stored.title));
  expect(childrenNamed(item, 'dc:creator').map(text)).toEqual(present(stored.author) ? [clean(stored.author)] : []);
  expect(childrenNamed(item, 'category').map(text)).toEqual(stored.categories.filter(present).map(clean));
  expect(childrenNamed(item, 'description').map(text)).toEqual(present(entryHtml(entry)) ? [clean(entryHtml(entry))] : []);
  expect(textOf(item, 'source')).toBe(clean(stored.sourceTitle));
}

function checkAtom(stored: Stored): void {
  const { feed, entry } = feedOf(stored);
  const root = readXmlStrict(writeAtom(feed));
  expect(textOf(root, 'title')).toBe(clean(stored.feedTitle));
  expect(childrenNamed(root, 'subtitle').map(text)).toEqual(present(stored.feedDescription) ? [clean(stored.feedDescription)] : []);
  const element = onlyChild(root, 'entry');
  expect(textOf(element, 'title')).toBe(clean(stored.title));
  expect(childrenNamed(element, 'author').map((author) => textOf(author, 'name'))).toEqual(present(stored.author) ? [clean(stored.author)] : []);
  expect(childrenNamed(element, 'category').map((category) => category.attributes.term)).toEqual(stored.categories.filter(present).map(clean));
  expect(childrenNamed(element, 'summary').map(text)).toEqual(present(stored.excerpt) ? [clean(stored.excerpt)] : []);
  expect(textOf(element, 'content')).toBe(clean(entryHtml(entry)));
  expect(textOf(onlyChild(element, 'source'), 'title')).toBe(clean(stored.sourceTitle));
}

function checkJsonFeed(stored: Stored): void {
  const { feed, entry } = feedOf(stored);
  const document = JSON.parse(writeJsonFeed(feed)) as JsonFeedDocument;
  expect(document.title).toBe(clean(stored.feedTitle));
  const item = document.items[0]!;
  expect(item.title).toBe(clean(stored.title));
  expect(item.authors?.map((author) => author.name) ?? []).toEqual(present(stored.author) ? [clean(stored.author)] : []);
  expect(item.tags ?? []).toEqual(stored.categories.filter(present).map(clean));
  expect(item.summary ?? '').toBe(clean(stored.excerpt));
  expect(item.content_html).toBe(clean(entryHtml(entry)));
  expect(item._source.title).toBe(clean(stored.sourceTitle));
}

function checkOpml(stored: Stored): void {
  const source = {
    id: 'tricky',
    title: stored.title,
    site_url: 'https://tricky.example/',
    feed_url: 'https://tricky.example/feed',
    description: stored.excerpt,
    category: stored.author,
  };
  const opml = readXmlStrict(writeOpml([source], { title: stored.feedTitle }));
  expect(textOf(onlyChild(opml, 'head'), 'title')).toBe(clean(stored.feedTitle));
  const outline = onlyChild(onlyChild(opml, 'body'), 'outline');
  expect(outline.attributes.text).toBe(clean(stored.title));
  expect(outline.attributes.title).toBe(clean(stored.title));
  expect(outline.attributes.description).toBe(present(stored.excerpt) ? clean(stored.excerpt) : undefined);
  expect(outline.attributes.category).toBe(present(stored.author) ? clean(stored.author) : undefined);
}

function text(element: XmlElement): string {
  return element.text;
}

describe('every exporter says exactly what is stored', () => {
  it.each([
    ['RSS', checkRss],
    ['Atom', checkAtom],
    ['JSON Feed', checkJsonFeed],
    ['OPML', checkOpml],
  ])('%s, over random text rich in markup, entities, controls and astral characters', (_name, check) => {
    fc.assert(fc.property(storedValues, check), { numRuns: 400 });
  });
});

describe('the hostile texts that once came out as markup', () => {
  // Stored HTML whose text mentions a tag: a reader must decode it to the same HTML, never to <script>.
  const ESCAPED_SCRIPT = '<p>Type &lt;script&gt;alert(1)&lt;/script&gt; to see it</p>';
  // An attribute value holding quotes: still one attribute after the reader decodes the document.
  const QUOTED_ATTRIBUTE = '<p title="a &quot;b&quot; onmouseover=&quot;alert(1)&quot;">x</p>';
  // An HTML entity stored as text: XML has no &eacute;, so it must go out as &amp;eacute;.
  const HTML_ENTITY_TEXT = 'Caf&eacute; &amp; clinic';

  const hostile = streamEntry({ title: HTML_ENTITY_TEXT, contentHtml: `${ESCAPED_SCRIPT}${QUOTED_ATTRIBUTE}`, categories: [HTML_ENTITY_TEXT] });
  const feed = exportFeed([hostile], { title: HTML_ENTITY_TEXT });

  it('RSS: well-formed, the description decodes to the stored HTML', () => {
    const xml = writeRss(feed);
    const item = onlyChild(onlyChild(readXmlStrict(xml), 'channel'), 'item');
    expect(textOf(item, 'description')).toBe(`${ESCAPED_SCRIPT}${QUOTED_ATTRIBUTE}`);
    expect(textOf(item, 'title')).toBe(HTML_ENTITY_TEXT);
    expect(xml).toContain('Caf&amp;eacute;');
    expect(xml).toContain('&amp;lt;script&amp;gt;');
  });

  it('Atom: well-formed, the content decodes to the stored HTML and the category term keeps its text', () => {
    const entry = onlyChild(readXmlStrict(writeAtom(feed)), 'entry');
    expect(textOf(entry, 'content')).toBe(`${ESCAPED_SCRIPT}${QUOTED_ATTRIBUTE}`);
    expect(textOf(entry, 'title')).toBe(HTML_ENTITY_TEXT);
    expect(onlyChild(entry, 'category').attributes.term).toBe(HTML_ENTITY_TEXT);
  });

  it('JSON Feed: the same strings', () => {
    const item = (JSON.parse(writeJsonFeed(feed)) as JsonFeedDocument).items[0]!;
    expect(item.content_html).toBe(`${ESCAPED_SCRIPT}${QUOTED_ATTRIBUTE}`);
    expect(item.title).toBe(HTML_ENTITY_TEXT);
  });
});
