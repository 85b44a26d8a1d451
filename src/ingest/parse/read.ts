// Runs rss-parser over the XML and hands back its output with the raw elements the adapter needs.
import Parser from 'rss-parser';
import { FeedParseError } from './errors.js';
import { rawKey, type RawRecord } from './raw.js';

export interface RawFeed extends RawRecord {
  items: RawRecord[];
}

/** Entry children the adapter reads (xml2js values kept whole: every occurrence, attributes, text). */
const ITEM_ELEMENTS = [
  '$', 'title', 'link', 'id', 'guid',
  'pubDate', 'published', 'issued', 'created', 'dc:date', 'dcterms:issued', 'dcterms:created',
  'updated', 'modified', 'dcterms:modified', 'atom:updated', 'lastBuildDate',
  'author', 'dc:creator', 'itunes:author', 'dc:contributor',
  'category', 'dc:subject', 'enclosure', 'media:content',
  'content', 'content:encoded', 'xhtml:body', 'body', 'fullitem', 'description', 'summary',
] as const;

const FEED_ELEMENTS = [
  '$', 'id', 'title', 'dc:title', 'link', 'icon', 'logo', 'image', 'itunes:image', 'author', 'dc:creator',
] as const;

/**
 * Elements xml2js hands to rss-parser under other names, so that it never sees them and the
 * adapter reads them itself:
 * - rss-parser 3.13 reads Atom <published>/<updated> with `new Date(...).toISOString()` (a
 *   RangeError on any date it cannot parse) and every Atom <link> as if it had attributes (a
 *   TypeError on `<link>text</link>`): one odd element would fail the whole feed;
 * - it makes a text "snippet" of description, content:encoded and Atom content with a regular
 *   expression that takes quadratic time on input like "<p<p<p…" (80 KB of it: 20 s), and rebuilds
 *   inline XHTML with an XML builder: work we do not use, and a way to stall the worker.
 */
const HIDDEN_FROM_RSS_PARSER: Record<string, string> = {
  published: 'x-portal-published',
  updated: 'x-portal-updated',
  link: 'x-portal-link',
  description: 'x-portal-description',
  'content:encoded': 'x-portal-content-encoded',
  content: 'x-portal-content',
  summary: 'x-portal-summary',
};

function xml2jsName(name: string): string {
  return HIDDEN_FROM_RSS_PARSER[name] ?? name;
}

type RawField = [string, string, { keepArray: boolean }];

function rawFields(names: readonly string[]): RawField[] {
  return names.map((name) => [xml2jsName(name), rawKey(name), { keepArray: true }]);
}

// Built once and shared by every parser (rss-parser and xml2js only read them). Module functions,
// not arrows made per parser: V8 drops the optimized code of closures that are not alive at a full
// garbage collection.
const FEED_FIELDS = rawFields(FEED_ELEMENTS);
const ITEM_FIELDS = rawFields(ITEM_ELEMENTS);

function emptyElement(): RawRecord {
  return {};
}

function newParser(): Parser<RawRecord, RawRecord> {
  return new Parser<RawRecord, RawRecord>({
    // <rss> without a version attribute is read as RSS 2.0 rather than refused.
    defaultRSS: 2,
    xml2js: {
      tagNameProcessors: [xml2jsName],
      // Every element an object ({ _: text }, {} when empty), never a bare string: rss-parser reads
      // `entry.link` and friends, and on a string that is String.prototype.link, a function.
      explicitCharkey: true,
      emptyTag: emptyElement,
    },
    customFields: {
      // rss-parser accepts [from, to, options] for feed fields too; its typings only know strings.
      feed: FEED_FIELDS as unknown as string[],
      item: ITEM_FIELDS,
    },
  });
}

/** First line of an xml2js/sax message with its position, e.g. "Unexpected close tag (line 3, column 9)". */
function describeXmlError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const [first, ...rest] = message.split('\n');
  const line = /Line: (\d+)/.exec(rest.join('\n'))?.[1];
  const column = /Column: (\d+)/.exec(rest.join('\n'))?.[1];
  return line === undefined ? (first ?? message) : `${first} (line ${line}, column ${column ?? '?'})`;
}

/** rss-parser's reading of the document; any failure becomes a FeedParseError. */
export async function readFeed(xml: string): Promise<RawFeed> {
  try {
    // A fresh parser per document: xml2js parsers keep listeners between parseString calls.
    const feed = await newParser().parseString(xml);
    return feed as unknown as RawFeed;
  } catch (error) {
    const sax = error instanceof Error && /\nLine: \d+/.test(error.message);
    const what = sax ? 'ill-formed XML' : 'rss-parser could not read the feed';
    throw new FeedParseError(`${what}: ${describeXmlError(error)}`, { cause: error });
  }
}
