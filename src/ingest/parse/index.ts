// parse: a feed document to the portal's one normal form. Detects the format, refuses what is not a
// feed, and hands off to the format's adapter: RSS 0.9x/1.0/2.0 (rss.ts), Atom 0.3/1.0 (atom.ts),
// JSON Feed 1.0/1.1 (json-feed.ts).
// The result is not yet sanitized: contentHtml is the source's HTML (see ../sanitize).
import type { ParsedFeed } from '../../core/types.js';
import { atomFeed } from './atom.js';
import { FeedParseError } from './errors.js';
import { jsonFeed } from './json-feed.js';
import { readOutline, type Outline } from './outline.js';
import { rssFeed } from './rss.js';
import { messageOf } from '../../core/errors.js';

export { FeedParseError } from './errors.js';
export { findWebSubLinks, parseLinkHeader, type WebSubLinks } from './websub-links.js';

type Format = { name: 'json' } | { name: 'rss' | 'atom'; root: Outline };

/** A name from the document fit for an error message (a mis-decoded one is full of NULs). */
function printable(name: string): string {
  const clean = name.replace(/[^\x20-\x7E\u00A0-\uFFFF]/g, '');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** The document's format, from its first character or its root element; what is plainly not a feed is refused with a message that says what it is. */
function detectFormat(text: string): Format {
  if (typeof text !== 'string') throw new FeedParseError('the document is not text');
  if (!text.trim()) throw new FeedParseError('the document is empty');
  if (/^\s*[[{]/.test(text)) return { name: 'json' };
  const outline = readOutline(text, 'root');
  const root = outline.root;
  if (root === '') throw new FeedParseError('the document has no XML element');
  if (root.toLowerCase() === 'html') throw new FeedParseError('the document is an HTML page, not a feed');
  if (root.toLowerCase() === 'opml') throw new FeedParseError('the document is an OPML outline, not a feed');
  if (root === 'feed') return { name: 'atom', root: outline };
  if (root !== 'rss' && root !== 'rdf:RDF') {
    throw new FeedParseError(`unknown root element <${printable(root)}>; expected <rss>, <rdf:RDF> or <feed>`);
  }
  if (!outline.hasChannel) throw new FeedParseError(`<${root}> has no <channel>`);
  return { name: 'rss', root: outline };
}

/**
 * Reads one feed. `fetchUrl` is the URL the document came from (relative links resolve against
 * it last); `now` is the fetch time in ms (dates later than it are clamped to it, missing dates
 * take it). Anything that is not a feed it can read rejects with a FeedParseError.
 */
export async function parseFeed(text: string, fetchUrl: string, now: number): Promise<ParsedFeed> {
  try {
    const format = detectFormat(text);
    switch (format.name) {
      case 'rss':
        return await rssFeed(text, format.root, { fetchUrl, now });
      case 'atom':
        return await atomFeed(text, format.root, { fetchUrl, now });
      case 'json':
        return jsonFeed(text, { fetchUrl, now });
    }
  } catch (error) {
    if (error instanceof FeedParseError) throw error;
    const message = messageOf(error);
    throw new FeedParseError(`unexpected failure reading the feed: ${message}`, { cause: error });
  }
}
