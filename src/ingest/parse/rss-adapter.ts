// rss-parser's output (plus the pre-pass outline) to the portal's one normal form.
import type { ParsedFeed } from '../../core/types.js';
import { ATOM, RSS, baseResolver, titleOf, type AdaptContext, type FeedFacts, type Flavour } from './adapt-common.js';
import { adaptEntry } from './entry-adapter.js';
import { authorOf } from './entry-fields.js';
import { alternateLink, linkCandidates } from './links.js';
import type { Outline } from './outline.js';
import type { RawFeed } from './read.js';
import { attrOf, childList, firstText, rawList, textOf } from './raw.js';
import { absoluteHttpUrl } from './urls.js';

export type { AdaptContext } from './adapt-common.js';

/** Atom icon or logo, RSS image url, RSS 1.0 image rdf:resource, itunes:image href. */
function iconRef(feed: RawFeed): string | undefined {
  const image = rawList(feed, 'image')[0];
  return (
    firstText(feed, ['icon', 'logo']) ??
    (textOf(childList(image, 'url')[0]).trim() || attrOf(image, 'rdf:resource')) ??
    attrOf(rawList(feed, 'itunes:image')[0], 'href')
  );
}

/** Longer than any real Atom id: a feed putting text in the wrong element. */
const MAX_FEED_ID_LENGTH = 512;

function feedFacts(feed: RawFeed, outline: Outline, flavour: Flavour, ctx: AdaptContext): FeedFacts {
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
    const id = firstText(feed, ['id'])?.trim();
    if (id && id.length <= MAX_FEED_ID_LENGTH) facts.id = id;
  }
  return facts;
}

export function adaptFeed(feed: RawFeed, outline: Outline, ctx: AdaptContext): ParsedFeed {
  const flavour = outline.root === 'feed' ? ATOM : RSS;
  const facts = feedFacts(feed, outline, flavour, ctx);
  // Entries and outlines pair up by position; if the two parsers ever disagree, drop the outlines.
  const outlines = outline.entries.length === feed.items.length ? outline.entries : [];
  // A loop, not an arrow made per feed (V8 drops a dead closure's optimized code at a full GC).
  const entries = [];
  for (const [i, item] of feed.items.entries()) entries.push(adaptEntry(item, outlines[i], facts, flavour, ctx));
  const parsed: ParsedFeed = { entries };
  if (facts.title) parsed.title = facts.title;
  if (facts.link) parsed.link = facts.link;
  if (facts.icon) parsed.icon = facts.icon;
  if (facts.id) parsed.id = facts.id;
  return parsed;
}
