// rss-parser's reading of a feed document (parseString), handed to an adapter as xml2js elements
// under their own names, with the document's outline (outline.ts) where xml2js drops something.
import Parser from 'rss-parser';
import { FeedParseError } from './errors.js';
import { readOutline, type Outline } from './outline.js';
import { messageOf } from '../../core/errors.js';

/** An element as xml2js reads it: its own text under `_`, attributes under `$`, children by name. */
export interface XmlElement {
  _?: unknown;
  $?: Record<string, unknown>;
  /** Every occurrence of the child element, in document order. */
  [child: string]: unknown;
}

/** A child as xml2js may hand it over: an element, or bare text. */
export type XmlNode = string | XmlElement;

/** What an adapter reads: children of the feed's element and of each entry, and which are text constructs. */
export interface XmlFields {
  feed: readonly string[];
  item: readonly string[];
  /** Read as text constructs: inline XHTML in one needs the outline's source text. */
  textConstructs: readonly string[];
}

export interface XmlFeed {
  /** The RSS <channel> or the Atom <feed>, with the children the adapter asked for. */
  feed: XmlElement;
  /** Its items or entries, in document order. */
  items: XmlElement[];
  /** The root's outline, or the whole document's when the feed uses xml:base or inline markup. */
  outline: Outline;
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

/** Every occurrence of child element `name`. */
export function children(element: XmlNode | undefined, name: string): XmlNode[] {
  if (element === undefined || typeof element === 'string') return [];
  const value = element[name];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

/** The element's own text (not that of its children). */
export function textOf(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  return typeof node._ === 'string' ? node._ : '';
}

export function attrOf(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node.$?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether the element holds child elements (markup written inline rather than escaped). */
export function hasChildElements(node: XmlNode | undefined): boolean {
  if (node === undefined || typeof node === 'string') return false;
  return Object.keys(node).some((key) => key !== '_' && key !== '$');
}

/** The first non-blank text among the children `names`, tried in order. */
export function firstText(element: XmlElement, names: readonly string[]): string | undefined {
  for (const name of names) {
    for (const node of children(element, name)) {
      const text = textOf(node).trim();
      if (text) return text;
    }
  }
  return undefined;
}

/**
 * Elements xml2js hands rss-parser under other names, so that only the adapters read them: rss-parser
 * 3.13 throws on an Atom <published>, <updated> or <link> it cannot read (one odd element would fail
 * the feed), makes snippets of content with a regular expression that is quadratic on input like
 * "<p<p<p…", and rebuilds inline XHTML with an XML builder: work we do not use.
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

/** rss-parser copies each asked-for child (every occurrence, kept whole) under this prefix beside its own fields. */
const KEY_PREFIX = 'portal:';
/** The element's own attributes come back the same way. */
const ATTRS_KEY = `${KEY_PREFIX}$`;

type CustomField = [string, string, { keepArray: boolean }];

function customFields(names: readonly string[]): CustomField[] {
  return ['$', ...names].map((name) => [xml2jsName(name), KEY_PREFIX + name, { keepArray: true }]);
}

/** The element under its own names, from what rss-parser returned for it; `keys` pairs each name with its key. */
function elementOf(record: Record<string, unknown>, keys: ReadonlyArray<readonly [string, string]>): XmlElement {
  const element: XmlElement = {};
  const attrs = record[ATTRS_KEY];
  if (typeof attrs === 'object' && attrs !== null) element.$ = attrs as Record<string, unknown>;
  for (const [name, key] of keys) {
    const value = record[key];
    if (value !== undefined) element[name] = value;
  }
  return element;
}

/** First line of an xml2js/sax message with its position, e.g. "Unexpected close tag (line 3, column 9)". */
function describeXmlError(error: unknown): string {
  const message = messageOf(error);
  const [first, ...rest] = message.split('\n');
  const line = /Line: (\d+)/.exec(rest.join('\n'))?.[1];
  const column = /Column: (\d+)/.exec(rest.join('\n'))?.[1];
  return line === undefined ? (first ?? message) : `${first} (line ${line}, column ${column ?? '?'})`;
}

/** Whether a text construct of the feed or its entries holds markup inline or says it is XML. */
function hasInlineMarkup(elements: readonly XmlElement[], textConstructs: readonly string[]): boolean {
  return elements.some((element) =>
    textConstructs.some((name) => {
      const node = children(element, name)[0];
      if (node === undefined) return false;
      const type = attrOf(node, 'type')?.toLowerCase() ?? '';
      const mode = attrOf(node, 'mode')?.toLowerCase() ?? '';
      return hasChildElements(node) || type.includes('xml') || mode.includes('xml');
    }),
  );
}

/**
 * A reader for one format's fields: rss-parser's reading of the document (any failure a
 * FeedParseError), and the outline. `root` is the outline parseFeed already read to find the format;
 * most feeds need nothing more of it.
 */
export function xmlReader(fields: XmlFields): (xml: string, root: Outline) => Promise<XmlFeed> {
  const feedNames = [...new Set(fields.feed)];
  const itemNames = [...new Set(fields.item)];
  const feedFields = customFields(feedNames);
  const itemFields = customFields(itemNames);
  const feedKeys = feedNames.map((name) => [name, KEY_PREFIX + name] as const);
  const itemKeys = itemNames.map((name) => [name, KEY_PREFIX + name] as const);
  return async (xml, root) => {
    let read;
    try {
      // A fresh parser per document: xml2js parsers keep listeners between parseString calls.
      read = await new Parser<Record<string, unknown>, Record<string, unknown>>({
        // <rss> without a version attribute is read as RSS 2.0 rather than refused.
        defaultRSS: 2,
        xml2js: {
          tagNameProcessors: [xml2jsName],
          // Every element an object ({ _: text }, {} when empty), never a bare string: rss-parser reads
          // `entry.link` and friends, and on a string that is String.prototype.link, a function.
          explicitCharkey: true,
          emptyTag: () => ({}),
        },
        // rss-parser accepts [from, to, options] for feed fields too; its typings only know strings.
        customFields: { feed: feedFields as unknown as string[], item: itemFields },
      }).parseString(xml);
    } catch (error) {
      const sax = error instanceof Error && /\nLine: \d+/.test(error.message);
      const what = sax ? 'ill-formed XML' : 'rss-parser could not read the feed';
      throw new FeedParseError(`${what}: ${describeXmlError(error)}`, { cause: error });
    }
    const feed = elementOf(read, feedKeys);
    const items = read.items.map((item) => elementOf(item, itemKeys));
    const needsWhole = xml.includes('xml:base') || hasInlineMarkup([feed, ...items], fields.textConstructs);
    return { feed, items, outline: needsWhole ? readOutline(xml, 'whole') : root };
  };
}
