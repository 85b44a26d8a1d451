// RSS 0.9x, 1.0 and 2.0: the <channel> and its <item>s to the normal form. RSS 1.0 (RDF) reads the
// same once rss-parser has found its items (beside the channel rather than in it).
import type { NormalEntry, ParsedFeed } from '../../core/types.js';
import {
  alternateLink, authorOf, baseResolver, categoriesOf, contentOf, datesOf, enclosuresOf, entryOutlines, linkCandidates,
  normalEntry, parsedFeed, permalinkGuid, titleOf, type AdaptContext,
} from './fields.js';
import type { ContainerOutline, Outline } from './outline.js';
import { absoluteHttpUrl } from './urls.js';
import { attrOf, children, firstText, textOf, xmlReader, type XmlElement } from './xml.js';

// Where each field of an item comes from, in order of preference. Atom's names (id, content,
// summary, published, updated…) come after RSS's own: some RSS feeds borrow them.
/** Full content first, summaries last. */
const CONTENT = ['content:encoded', 'xhtml:body', 'body', 'fullitem', 'content', 'description', 'summary'];
const PUBLISHED = ['pubDate', 'dc:date', 'dcterms:issued', 'dcterms:created', 'published', 'issued', 'created'];
const UPDATED = ['dcterms:modified', 'atom:updated', 'updated', 'modified'];
const AUTHORS = ['dc:creator', 'author', 'itunes:author', 'dc:contributor'];

const readRss = xmlReader({
  feed: ['title', 'dc:title', 'link', 'icon', 'logo', 'image', 'itunes:image'],
  item: [
    'guid', 'id', 'title', 'dc:title', 'link', 'category', 'dc:subject', 'enclosure', 'media:content',
    ...CONTENT, ...PUBLISHED, ...UPDATED, ...AUTHORS,
  ],
  textConstructs: ['title', ...CONTENT],
});

/** The image's url (RSS 1.0: its rdf:resource), itunes:image's href, Atom's icon or logo. */
function iconRef(channel: XmlElement): string | undefined {
  const image = children(channel, 'image')[0];
  return (
    (textOf(children(image, 'url')[0]).trim() || attrOf(image, 'rdf:resource')) ??
    attrOf(children(channel, 'itunes:image')[0], 'href') ??
    firstText(channel, ['icon', 'logo'])
  );
}

function rssEntry(item: XmlElement, outline: ContainerOutline | undefined, channelLink: string | undefined, ctx: AdaptContext): NormalEntry {
  const baseOf = baseResolver(ctx.fetchUrl, channelLink ?? ctx.fetchUrl, outline);
  const links = linkCandidates(item, outline?.links);
  return normalEntry({
    givenId: firstText(item, ['guid']) ?? attrOf(item, 'rdf:about') ?? firstText(item, ['id']),
    link: alternateLink(links, baseOf) ?? permalinkGuid(item) ?? '',
    // RSS titles and descriptions hold HTML.
    title: titleOf(item, outline, 'html'),
    content: contentOf(item, outline, CONTENT, 'html', baseOf),
    dates: datesOf(item, PUBLISHED, UPDATED, ctx.now),
    author: authorOf(item, AUTHORS),
    categories: categoriesOf(item),
    enclosures: enclosuresOf(item, links, baseOf),
  });
}

export async function rssFeed(xml: string, root: Outline, ctx: AdaptContext): Promise<ParsedFeed> {
  const { feed: channel, items, outline } = await readRss(xml, root);
  // The channel's link resolves against the document; its image and the items' links against it.
  const link = alternateLink(linkCandidates(channel, outline.feed.links), baseResolver(ctx.fetchUrl, ctx.fetchUrl, outline.feed));
  const icon = absoluteHttpUrl(iconRef(channel), baseResolver(ctx.fetchUrl, link ?? ctx.fetchUrl, outline.feed)());
  const outlines = entryOutlines(outline.entries, items);
  const entries = items.map((item, i) => rssEntry(item, outlines[i], link, ctx));
  return parsedFeed(entries, { title: titleOf(channel, outline.feed, 'html'), link, icon });
}
