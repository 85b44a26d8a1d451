// Atom 1.0 and 0.3: the <feed> and its <entry>s to the normal form. Text constructs say how they are
// written (type, and 0.3's mode); without a type they are plain text.
import type { NormalEntry, ParsedFeed } from '../../core/types.js';
import {
  alternateLink, authorOf, baseResolver, categoriesOf, contentOf, datesOf, enclosuresOf, entryOutlines, linkCandidates,
  normalEntry, parsedFeed, permalinkGuid, titleOf, type AdaptContext,
} from './fields.js';
import type { ContainerOutline, Outline } from './outline.js';
import { absoluteHttpUrl } from './urls.js';
import { attrOf, children, firstText, textOf, xmlReader, type XmlElement } from './xml.js';

// Where each field of an entry comes from, in order of preference (issued, created and modified
// are Atom 0.3's). RSS's names (guid, content:encoded, description, pubDate…) come after Atom's
// own: some Atom feeds borrow them.
/** Full content first, summaries last. */
const CONTENT = ['content', 'content:encoded', 'xhtml:body', 'body', 'fullitem', 'summary', 'description'];
const PUBLISHED = ['published', 'dc:date', 'issued', 'dcterms:issued', 'created', 'dcterms:created', 'pubDate'];
const UPDATED = ['updated', 'modified', 'dcterms:modified', 'atom:updated'];
const AUTHORS = ['dc:creator', 'author', 'itunes:author', 'dc:contributor'];

const readAtom = xmlReader({
  feed: ['id', 'title', 'dc:title', 'link', 'icon', 'logo', 'image', 'itunes:image', ...AUTHORS],
  item: [
    'id', 'guid', 'title', 'dc:title', 'link', 'category', 'dc:subject', 'enclosure', 'media:content',
    ...CONTENT, ...PUBLISHED, ...UPDATED, ...AUTHORS,
  ],
  textConstructs: ['title', ...CONTENT],
});

/** Longer than any real Atom id: a feed putting text in the wrong element. */
const MAX_FEED_ID_LENGTH = 512;

/** Atom's icon or logo, else RSS's image url (or rdf:resource) or itunes:image's href. */
function iconRef(feed: XmlElement): string | undefined {
  const image = children(feed, 'image')[0];
  return (
    firstText(feed, ['icon', 'logo']) ??
    (textOf(children(image, 'url')[0]).trim() || attrOf(image, 'rdf:resource')) ??
    attrOf(children(feed, 'itunes:image')[0], 'href')
  );
}

interface FeedFacts {
  link: string | undefined;
  /** The feed's author stands for entries that name none. */
  author: string | undefined;
}

function atomEntry(entry: XmlElement, outline: ContainerOutline | undefined, feed: FeedFacts, ctx: AdaptContext): NormalEntry {
  const baseOf = baseResolver(ctx.fetchUrl, feed.link ?? ctx.fetchUrl, outline);
  const links = linkCandidates(entry, outline?.links);
  return normalEntry({
    givenId: firstText(entry, ['id', 'guid']) ?? attrOf(entry, 'rdf:about'),
    link: alternateLink(links, baseOf) ?? permalinkGuid(entry) ?? '',
    title: titleOf(entry, outline, 'text'),
    content: contentOf(entry, outline, CONTENT, 'text', baseOf),
    dates: datesOf(entry, PUBLISHED, UPDATED, ctx.now),
    author: authorOf(entry, AUTHORS) ?? feed.author,
    categories: categoriesOf(entry),
    enclosures: enclosuresOf(entry, links, baseOf),
  });
}

export async function atomFeed(xml: string, root: Outline, ctx: AdaptContext): Promise<ParsedFeed> {
  const { feed, items, outline } = await readAtom(xml, root);
  // The feed's link resolves against the document; its icon and the entries' links against it.
  const link = alternateLink(linkCandidates(feed, outline.feed.links), baseResolver(ctx.fetchUrl, ctx.fetchUrl, outline.feed));
  const icon = absoluteHttpUrl(iconRef(feed), baseResolver(ctx.fetchUrl, link ?? ctx.fetchUrl, outline.feed)());
  const id = firstText(feed, ['id']);
  const facts: FeedFacts = { link, author: authorOf(feed, AUTHORS) };
  const outlines = entryOutlines(outline.entries, items);
  const entries = items.map((entry, i) => atomEntry(entry, outlines[i], facts, ctx));
  return parsedFeed(entries, {
    title: titleOf(feed, outline.feed, 'text'),
    link,
    icon,
    id: id !== undefined && id.length <= MAX_FEED_ID_LENGTH ? id : undefined,
  });
}
