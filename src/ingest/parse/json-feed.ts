// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/): the feed object and its items to
// the normal form. Fields are read as the spec types them: titles, summaries, content_text, names
// and tags are plain text, never markup; content_html is HTML, sanitized later like any adapter's.
//
// Relative URLs (an item's url, external_url, image and attachments, links inside content_html)
// resolve against the address the document was fetched from. JSON Feed has no xml:base, and
// neither of its own addresses is a base: home_page_url names the site, not the folder the feed's
// paths were written from, and feed_url is only the publisher's claim of where the feed lives
// (often an old host or scheme), while the fetch URL is where this document really came from.
import type { Enclosure, NormalEntry, ParsedFeed } from '../../core/types.js';
import { FeedParseError } from './errors.js';
import {
  enclosure, entryDates, foundDate, normalEntry, parsedFeed, personNameText, plainTitle, uniqueCategories, type AdaptContext,
} from './fields.js';
import { escapeHtml } from './text.js';
import { absoluteHttpUrl } from './urls.js';

type JsonObject = Record<string, unknown>;

/** The `version` of a JSON Feed: jsonfeed.org's version/1 or version/1.1 (http:// and www. are seen too). */
const JSON_FEED_VERSION = /^https?:\/\/(?:www\.)?jsonfeed\.org\/version\/\d/i;
const CURRENT_VERSION = 'https://jsonfeed.org/version/1.1';

/** Longest piece of a JSON parser's message kept: some quote the document. */
const MAX_SYNTAX_MESSAGE_LENGTH = 200;

/** What every item shares: the feed's authors (for items naming none) and the base for its URLs. */
interface FeedFacts {
  author: string | undefined;
  baseUrl: string;
}

/** Reads a JSON Feed; anything else (bad JSON, JSON that is not a JSON Feed, an unreadable item) is a FeedParseError. */
export function jsonFeed(text: string, ctx: AdaptContext): ParsedFeed {
  const feed = jsonFeedObject(readJson(text));
  const items = feed['items'];
  if (!Array.isArray(items)) {
    throw new FeedParseError(items === undefined ? 'the JSON Feed has no "items"' : 'the JSON Feed\'s "items" is not an array');
  }
  const facts: FeedFacts = { author: authorsOf(feed), baseUrl: ctx.fetchUrl };
  const entries = items.map((item: unknown, i) => jsonEntry(readableItem(item, i + 1), facts, ctx));
  return parsedFeed(entries, {
    title: plainTitle(stringOf(feed['title']) ?? ''),
    link: absoluteHttpUrl(stringOf(feed['home_page_url']), ctx.fetchUrl),
    // `icon` is the large one (RSS's image), `favicon` the small one.
    icon: absoluteHttpUrl(stringOf(feed['icon']) ?? stringOf(feed['favicon']), ctx.fetchUrl),
    // JSON Feed 1.0: feed_url "serves as the unique identifier for the feed".
    id: absoluteHttpUrl(stringOf(feed['feed_url'])),
  });
}

function readJson(text: string): unknown {
  try {
    // JSON.parse takes no byte-order mark; the fetcher strips it, a file read as is may keep it.
    return JSON.parse(text.trimStart());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const printable = message.replace(/[^\x20-\x7E\u00A0-\uFFFF]/g, '').slice(0, MAX_SYNTAX_MESSAGE_LENGTH);
    throw new FeedParseError(`the document is not valid JSON: ${printable}`);
  }
}

/** The document as a JSON Feed's top-level object; other JSON is plainly said not to be a feed. */
function jsonFeedObject(document: unknown): JsonObject {
  if (Array.isArray(document)) throw new FeedParseError('the document is a JSON array, not a feed');
  if (!isObject(document)) throw new FeedParseError('the document is JSON, not a feed');
  const version = document['version'];
  if (typeof version !== 'string' || !JSON_FEED_VERSION.test(version.trim())) {
    const found = typeof version === 'string' ? `its "version" is ${JSON.stringify(version.slice(0, 60))}` : 'it has no "version"';
    throw new FeedParseError(`the document is JSON, not a feed: ${found}, where a JSON Feed names ${CURRENT_VERSION}`);
  }
  return document;
}

/** An item that can be told apart from the others: one with an id, a url or some content. */
function readableItem(item: unknown, position: number): JsonObject {
  if (!isObject(item)) throw new FeedParseError(`item ${position} of the JSON Feed is not an object`);
  const hasId = idOf(item['id']) !== undefined;
  const hasUrlOrContent = ['url', 'content_html', 'content_text', 'summary'].some((key) => stringOf(item[key]) !== undefined);
  if (!hasId && !hasUrlOrContent) throw new FeedParseError(`item ${position} of the JSON Feed has no "id", "url" or content`);
  return item;
}

function jsonEntry(item: JsonObject, feed: FeedFacts, ctx: AdaptContext): NormalEntry {
  const base = feed.baseUrl;
  return normalEntry({
    givenId: idOf(item['id']),
    // The item's own page, else (a link blog's) the page it is about.
    link: absoluteHttpUrl(stringOf(item['url']), base) ?? absoluteHttpUrl(stringOf(item['external_url']), base) ?? '',
    title: plainTitle(stringOf(item['title']) ?? ''),
    content: { html: contentHtmlOf(item, base), baseUrl: base },
    dates: entryDates(foundDate(stringOf(item['date_published'])), foundDate(stringOf(item['date_modified'])), ctx.now),
    // JSON Feed 1.1: an item without authors has the feed's.
    author: authorsOf(item) ?? feed.author,
    categories: uniqueCategories(arrayOf(item['tags']).flatMap((tag) => stringOf(tag) ?? [])),
    enclosures: attachmentsOf(item, base),
  });
}

/**
 * An item id as a string: a string as given, a number (the spec says to coerce it) as its digits.
 * A number too large to be exact is no stable id (two could read the same), nor is any other type:
 * the entry then takes its url, or the usual hash.
 */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() ? value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * content_html as given; else content_text, else the summary, as escaped text. The item's main
 * image leads the content when the content does not show it already.
 */
function contentHtmlOf(item: JsonObject, base: string): string {
  const html = stringOf(item['content_html']);
  const text = stringOf(item['content_text']) ?? stringOf(item['summary']);
  const content = html !== undefined ? html.trim() : text !== undefined ? plainTextHtml(text) : '';
  const image = stringOf(item['image']);
  const imageUrl = absoluteHttpUrl(image, base);
  if (image === undefined || imageUrl === undefined || content.includes(image.trim()) || content.includes(imageUrl)) return content;
  return `<p><img src="${escapeHtml(imageUrl)}" alt=""></p>${content}`;
}

/** Plain text as HTML: escaped, a paragraph per blank-line-separated block, line breaks kept. */
function plainTextHtml(text: string): string {
  return text
    .trim()
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .map((paragraph) => `<p>${escapeHtml(paragraph.trim()).replace(/\r?\n/g, '<br>')}</p>`)
    .join('');
}

/** JSON Feed 1.1's `authors` (preferred, as the spec says), else 1.0's `author`: their names, joined. */
function authorsOf(holder: JsonObject): string | undefined {
  const authors = Array.isArray(holder['authors']) ? holder['authors'] : [holder['author']];
  const names = authors.flatMap((author: unknown) => (isObject(author) ? (stringOf(author['name']) ?? []) : []));
  const joined = personNameText([...new Set(names.map((name) => name.trim()))].join(', '));
  return joined || undefined;
}

/** Attachments as enclosures: absolute http(s) URLs, each once, with their type and size when given. */
function attachmentsOf(item: JsonObject, base: string): Enclosure[] {
  const byUrl = new Map<string, Enclosure>();
  for (const attachment of arrayOf(item['attachments'])) {
    if (!isObject(attachment)) continue;
    const size = attachment['size_in_bytes'];
    const found = enclosure(
      absoluteHttpUrl(stringOf(attachment['url']), base),
      stringOf(attachment['mime_type']),
      typeof size === 'number' ? size : undefined,
    );
    if (found && !byUrl.has(found.url)) byUrl.set(found.url, found);
  }
  return [...byUrl.values()];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-blank string, as given; anything else (a number, null, an object, "  ") is absent. */
function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
