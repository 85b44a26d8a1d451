// rss-parser's output (plus the pre-pass outline) to the portal's one normal form.
import type { NormalEntry, ParsedFeed } from '../../core/types.js';
import { textConstructHtml, type DefaultKind } from './content.js';
import { entryIdOf } from './entry-id.js';
import {
  alternateLink, authorOf, categoriesOf, datesOf, enclosuresOf, linkCandidates, permalinkGuid, type BaseOf,
} from './entry-fields.js';
import type { EntryOutline, FeedOutline } from './outline.js';
import type { RawFeed } from './read.js';
import { attrOf, childList, firstText, rawAttrs, rawList, textOf, type RawRecord } from './raw.js';
import { clip, htmlToText, makeExcerpt, plainText } from './text.js';
import { absoluteHttpUrl, resolveBaseChain } from './urls.js';

export interface AdaptContext {
  fetchUrl: string;
  now: number;
}

/** How bare text is read: Atom text constructs default to plain text, RSS elements hold HTML. */
interface Flavour {
  titleKind: DefaultKind;
  contentKind: DefaultKind;
}

const ATOM: Flavour = { titleKind: 'text', contentKind: 'text' };
const RSS: Flavour = { titleKind: 'html', contentKind: 'html' };

/** Plain text of HTML, with nothing left that could read as markup. */
function textOfHtml(html: string): string {
  return plainText(htmlToText(html));
}

/** The base for an element: its xml:base chain resolved from the document URL, else `fallback`. */
function baseResolver(fetchUrl: string, fallback: string, container: EntryOutline | undefined): BaseOf {
  return (element) => resolveBaseChain(fetchUrl, element?.bases ?? container?.bases ?? [], fallback);
}

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

/** Longest title kept: a longer one is a feed putting its text in the wrong element. */
const MAX_TITLE_LENGTH = 500;

function titleOf(record: RawRecord, outline: EntryOutline | undefined, flavour: Flavour): string {
  const html = textConstructHtml(rawList(record, 'title')[0], outline?.children.get('title'), flavour.titleKind);
  return clip(textOfHtml(html) || textOfHtml(firstText(record, ['dc:title']) ?? ''), MAX_TITLE_LENGTH);
}

function adaptEntry(item: RawRecord, outline: EntryOutline | undefined, feed: FeedFacts, flavour: Flavour, ctx: AdaptContext): NormalEntry {
  const baseOf = baseResolver(ctx.fetchUrl, feed.link ?? ctx.fetchUrl, outline);
  const links = linkCandidates(item, outline?.links);
  const link = alternateLink(links, baseOf) ?? permalinkGuid(item) ?? '';
  const title = titleOf(item, outline, flavour);
  const content = contentOf(item, outline, flavour, baseOf);
  const contentText = textOfHtml(content.html);
  const dates = datesOf(item, ctx.now);
  const guid = firstText(item, ['guid', 'id']) ?? stringAttr(rawAttrs(item), 'rdf:about');
  const entry: NormalEntry = {
    entryId: entryIdOf({ guid, link, title, dateText: dates.dateText, contentText }),
    title,
    link,
    publishedAt: dates.publishedAt,
    categories: categoriesOf(item),
    enclosures: enclosuresOf(item, links, baseOf),
    contentHtml: content.html,
    contentText,
    excerpt: makeExcerpt(contentText),
    baseUrl: content.baseUrl,
  };
  const author = authorOf(item) ?? feed.author;
  if (author) entry.author = author;
  if (dates.updatedAt !== undefined) entry.updatedAt = dates.updatedAt;
  return entry;
}

function stringAttr(attrs: Record<string, unknown>, name: string): string | undefined {
  const value = attrs[name];
  return typeof value === 'string' ? value : undefined;
}

interface FeedFacts {
  title?: string;
  link?: string;
  icon?: string;
  /** Atom's feed-level author applies to entries that name none. */
  author?: string;
}

/** Atom icon or logo, RSS image url, RSS 1.0 image rdf:resource, itunes:image href. */
function iconRef(feed: RawFeed): string | undefined {
  const image = rawList(feed, 'image')[0];
  return (
    firstText(feed, ['icon', 'logo']) ??
    (textOf(childList(image, 'url')[0]).trim() || attrOf(image, 'rdf:resource')) ??
    attrOf(rawList(feed, 'itunes:image')[0], 'href')
  );
}

function feedFacts(feed: RawFeed, outline: FeedOutline, flavour: Flavour, ctx: AdaptContext): FeedFacts {
  const facts: FeedFacts = {};
  const title = titleOf(feed, outline.feed, flavour);
  if (title) facts.title = title;
  // The feed's own link resolves against the document; the icon, like entries, against the link.
  const documentBase = baseResolver(ctx.fetchUrl, ctx.fetchUrl, outline.feed);
  const link = alternateLink(linkCandidates(feed, outline.feed.links), documentBase);
  if (link) facts.link = link;
  const siteBase = baseResolver(ctx.fetchUrl, link ?? ctx.fetchUrl, outline.feed);
  const icon = absoluteHttpUrl(iconRef(feed), siteBase());
  if (icon) facts.icon = icon;
  if (flavour === ATOM) {
    const author = authorOf(feed);
    if (author) facts.author = author;
  }
  return facts;
}

export function adaptFeed(feed: RawFeed, outline: FeedOutline, ctx: AdaptContext): ParsedFeed {
  const flavour = outline.rootName === 'feed' ? ATOM : RSS;
  const facts = feedFacts(feed, outline, flavour, ctx);
  // Entries and outlines pair up by position; if the two parsers ever disagree, drop the outlines.
  const outlines = outline.entries.length === feed.items.length ? outline.entries : [];
  const entries = feed.items.map((item, i) => adaptEntry(item, outlines[i], facts, flavour, ctx));
  const parsed: ParsedFeed = { entries };
  if (facts.title) parsed.title = facts.title;
  if (facts.link) parsed.link = facts.link;
  if (facts.icon) parsed.icon = facts.icon;
  return parsed;
}
