// One rss-parser item (plus its pre-pass outline) to a NormalEntry.
import type { NormalEntry } from '../../core/types.js';
import { baseResolver, textOfHtml, titleOf, type AdaptContext, type FeedFacts, type Flavour } from './adapt-common.js';
import { textConstructHtml } from './content.js';
import { enclosuresOf } from './enclosures.js';
import { datesOf } from './entry-dates.js';
import { authorOf, categoriesOf } from './entry-fields.js';
import { entryIdOf } from './entry-id.js';
import { alternateLink, linkCandidates, permalinkGuid, type BaseOf } from './links.js';
import type { ContainerOutline } from './outline.js';
import { firstText, rawAttrs, rawList, type RawRecord } from './raw.js';
import { makeExcerpt } from './text.js';

/** Content elements in order of preference: full content first, summaries last. */
export const CONTENT_ELEMENTS = ['content:encoded', 'content', 'xhtml:body', 'body', 'fullitem', 'description', 'summary'];

function contentOf(item: RawRecord, outline: ContainerOutline | undefined, flavour: Flavour, baseOf: BaseOf) {
  for (const name of CONTENT_ELEMENTS) {
    const element = outline?.children.get(name);
    const html = textConstructHtml(rawList(item, name)[0], element, flavour.contentKind);
    if (html) return { html, baseUrl: baseOf(element) };
  }
  return { html: '', baseUrl: baseOf() };
}

export function adaptEntry(item: RawRecord, outline: ContainerOutline | undefined, feed: FeedFacts, flavour: Flavour, ctx: AdaptContext): NormalEntry {
  const baseOf = baseResolver(ctx.fetchUrl, feed.link ?? ctx.fetchUrl, outline);
  const links = linkCandidates(item, outline?.links);
  const link = alternateLink(links, baseOf) ?? permalinkGuid(item) ?? '';
  const title = titleOf(item, outline, flavour);
  const content = contentOf(item, outline, flavour, baseOf);
  const dates = datesOf(item, ctx.now);
  const guid = firstText(item, ['guid', 'id']) ?? stringAttr(rawAttrs(item), 'rdf:about');
  const contentText = textOfHtml(content.html);
  const entry: NormalEntry = {
    entryId: entryIdOf({ guid, link, title, dateText: dates.dateText, contentText }),
    title,
    link,
    publishedAt: dates.publishedAt,
    publishedAtGuessed: dates.publishedAtGuessed,
    categories: categoriesOf(item),
    enclosures: enclosuresOf(item, links, baseOf),
    contentHtml: content.html,
    baseUrl: content.baseUrl,
    contentText,
    excerpt: makeExcerpt(contentText),
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
