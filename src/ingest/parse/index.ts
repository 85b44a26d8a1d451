// parse: feed XML (RSS 0.9x, RSS 1.0, RSS 2.0, Atom 0.3 and 1.0) to the portal's one normal form.
// The result is not yet sanitized: contentHtml is the source's HTML (see ../sanitize).
import type { ParsedFeed } from '../../core/types.js';
import { FeedParseError } from './errors.js';
import { CONTENT_ELEMENTS } from './entry-adapter.js';
import { readOutline, type Outline } from './outline.js';
import { attrOf, hasChildElements, rawList, type RawRecord } from './raw.js';
import { readFeed } from './read.js';
import { adaptFeed } from './rss-adapter.js';

export { FeedParseError } from './errors.js';

const FEED_ROOTS = new Set(['rss', 'rdf:RDF', 'feed']);

/** A name from the document fit for an error message (a mis-decoded one is full of NULs). */
function printable(name: string): string {
  const clean = name.replace(/[^\x20-\x7E\u00A0-\uFFFF]/g, '');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** Refuses what is plainly not a feed with a message that says what it is instead. */
function checkLooksLikeFeed(xml: string, outline: Outline): void {
  const root = outline.root;
  if (!xml.trim()) throw new FeedParseError('the document is empty');
  if (/^\s*[[{]/.test(xml)) throw new FeedParseError('the document is JSON, not an RSS or Atom feed');
  if (root === '') throw new FeedParseError('the document has no XML element');
  if (root.toLowerCase() === 'html') throw new FeedParseError('the document is an HTML page, not a feed');
  if (root.toLowerCase() === 'opml') throw new FeedParseError('the document is an OPML outline, not a feed');
  if (!FEED_ROOTS.has(root)) {
    throw new FeedParseError(`unknown root element <${printable(root)}>; expected <rss>, <rdf:RDF> or <feed>`);
  }
  if (root !== 'feed' && !outline.hasChannel) throw new FeedParseError(`<${root}> has no <channel>`);
}

/** Elements the adapter reads as text constructs: inline XHTML in one needs its source text. */
const TEXT_CONSTRUCTS = ['title', ...CONTENT_ELEMENTS];

/** Whether a text construct of the feed or its entries holds markup inline or says it is XML. */
function hasInlineMarkup(records: readonly RawRecord[]): boolean {
  return records.some((record) =>
    TEXT_CONSTRUCTS.some((name) => {
      const node = rawList(record, name)[0];
      if (node === undefined) return false;
      const type = attrOf(node, 'type')?.toLowerCase() ?? '';
      const mode = attrOf(node, 'mode')?.toLowerCase() ?? '';
      return hasChildElements(node) || type.includes('xml') || mode.includes('xml');
    }),
  );
}

/**
 * Reads one feed. `fetchUrl` is the URL the document came from (relative links resolve against
 * it last); `now` is the fetch time in ms (dates later than it are clamped to it, missing dates
 * take it). Anything that is not a feed it can read rejects with a FeedParseError.
 */
export async function parseFeed(xml: string, fetchUrl: string, now: number): Promise<ParsedFeed> {
  try {
    if (typeof xml !== 'string') throw new FeedParseError('the document is not text');
    const root = readOutline(xml, 'root');
    checkLooksLikeFeed(xml, root);
    const raw = await readFeed(xml);
    // Most feeds need nothing of the outline but the root; the rest only with xml:base or inline XHTML.
    const needsWhole = xml.includes('xml:base') || hasInlineMarkup([raw, ...raw.items]);
    return adaptFeed(raw, needsWhole ? readOutline(xml, 'whole') : root, { fetchUrl, now });
  } catch (error) {
    if (error instanceof FeedParseError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new FeedParseError(`unexpected failure reading the feed: ${message}`, { cause: error });
  }
}
