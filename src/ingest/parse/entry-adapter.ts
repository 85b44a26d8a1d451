// One rss-parser item (plus its pre-pass outline) to a NormalEntry.
import type { NormalEntry } from '../../core/types.js';
import { baseResolver, textOfHtml, titleOf, type AdaptContext, type FeedFacts, type Flavour } from './adapt-common.js';
import { textConstructHtml } from './content.js';
import { enclosuresOf } from './enclosures.js';
import { datesOf } from './entry-dates.js';
import { authorOf, categoriesOf } from './entry-fields.js';
import { entryIdOf } from './entry-id.js';
import { alternateLink, linkCandidates, permalinkGuid, type BaseOf } from './links.js';
import type { EntryOutline } from './outline.js';
import { firstText, rawAttrs, rawList, type RawRecord } from './raw.js';
import { makeExcerpt } from './text.js';

/** Content elements in order of preference: full content first, summaries last. */
const CONTENT_ELEMENTS = ['content:encoded', 'content', 'xhtml:body', 'body', 'fullitem', 'description', 'summary'];

function contentOf(item: RawRecord, outline: EntryOutline | undefined, flavour: Flavour, baseOf: BaseOf) {
  for (const name of CONTENT_ELEMENTS) {
    const element = outline?.children.get(name);
    const html = textConstructHtml(rawList(item, name)[0], element, flavour.contentKind);
    if (html) return { html, baseUrl: baseOf(element) };
  }
  return { html: '', baseUrl: baseOf() };
}

export function adaptEntry(item: RawRecord, outline: EntryOutline | undefined, feed: FeedFacts, flavour: Flavour, ctx: AdaptContext): NormalEntry {
  const baseOf = baseResolver(ctx.fetchUrl, feed.link ?? ctx.fetchUrl, outline);
  const links = linkCandidates(item, outline?.links);
  const link = alternateLink(links, baseOf) ?? permalinkGuid(item) ?? '';
  const title = titleOf(item, outline, flavour);
  const content = contentOf(item, outline, flavour, baseOf);
  const dates = datesOf(item, ctx.now);
  const guid = firstText(item, ['guid', 'id']) ?? stringAttr(rawAttrs(item), 'rdf:about');
  const entry = {
    entryId: '',
    title,
    link,
    publishedAt: dates.publishedAt,
    publishedAtGuessed: dates.publishedAtGuessed,
    categories: categoriesOf(item),
    enclosures: enclosuresOf(item, links, baseOf),
    contentHtml: content.html,
    baseUrl: content.baseUrl,
  } as NormalEntry;
  Object.defineProperties(entry, DERIVED_TEXT);
  // Set after the getters, so an id made from the text (no guid, link, title or date) and a later
  // read of contentText share one worked-out text.
  entry.entryId = entryIdOf({ guid, link, title, dateText: dates.dateText, contentText: () => entry.contentText });
  const author = authorOf(item) ?? feed.author;
  if (author) entry.author = author;
  if (dates.updatedAt !== undefined) entry.updatedAt = dates.updatedAt;
  return entry;
}

/** Where an entry keeps its plain text once worked out (not enumerable: not part of the entry's data). */
const TEXT = Symbol('contentText');

type WithText = NormalEntry & { [TEXT]?: string };

function contentTextOf(this: WithText): string {
  return (this[TEXT] ??= textOfHtml(this.contentHtml));
}

function excerptOf(this: NormalEntry): string {
  return makeExcerpt(this.contentText);
}

/**
 * contentText and excerpt derive from contentHtml, so they are computed when first read: refresh
 * reads them only for entries it stores (after the hash comparison), and its sanitizer makes its
 * own from what survives. Enumerable, so the entry still reads and compares as plain data.
 *
 * One set of getter functions for every entry: V8 keys an object's hidden class on its accessors,
 * and getters made per entry turned every entry after the first into a dictionary of properties.
 */
const DERIVED_TEXT: PropertyDescriptorMap = {
  [TEXT]: { value: undefined, writable: true, enumerable: false, configurable: true },
  contentText: { get: contentTextOf, enumerable: true, configurable: true },
  excerpt: { get: excerptOf, enumerable: true, configurable: true },
};

function stringAttr(attrs: Record<string, unknown>, name: string): string | undefined {
  const value = attrs[name];
  return typeof value === 'string' ? value : undefined;
}
