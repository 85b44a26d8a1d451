// What a page or a feed says about itself beyond its entries: used to describe a new source.
import { DomUtils, parseDocument } from 'htmlparser2';
import { collapseSpace } from './discover.js';

export interface PageFacts {
  title?: string;
  description?: string;
}

type Element = ReturnType<typeof DomUtils.findAll>[number];

/** An HTML page's <title> and <meta name="description"> (or og:description). */
export function describePage(html: string): PageFacts {
  const document = parseDocument(html);
  const titleEl = DomUtils.findOne((el) => el.name === 'title', document);
  const meta = (test: (el: Element) => boolean) =>
    collapseSpace(DomUtils.findOne((el) => el.name === 'meta' && test(el), document)?.attribs['content'] ?? '');
  const description =
    meta((el) => el.attribs['name']?.toLowerCase() === 'description') ||
    meta((el) => el.attribs['property']?.toLowerCase() === 'og:description');
  return definedFacts(collapseSpace(titleEl ? DomUtils.textContent(titleEl) : ''), description);
}

/** A feed's own description: RSS <channel><description>, Atom <subtitle>, RSS 1.0 channel description, JSON Feed's description. */
export function describeFeed(feedText: string): PageFacts {
  if (/^\s*\{/.test(feedText)) return describeJsonFeed(feedText);
  const document = parseDocument(feedText, { xmlMode: true });
  const channel = DomUtils.findOne((el) => ['channel', 'feed'].includes(localName(el)), document);
  if (!channel) return {};
  const child = (names: string[]) => channel.children.find((c): c is Element => DomUtils.isTag(c) && names.includes(localName(c)));
  const text = (el: Element | undefined) => (el ? collapseSpace(stripTags(DomUtils.textContent(el))) : '');
  return definedFacts(text(child(['title'])), text(child(['description', 'subtitle', 'tagline'])));
}

/** JSON Feed's title and description, both plain text; nothing when the text is not a JSON object. */
function describeJsonFeed(json: string): PageFacts {
  let feed: unknown;
  try {
    feed = JSON.parse(json.trimStart());
  } catch {
    return {};
  }
  if (typeof feed !== 'object' || feed === null) return {};
  const text = (value: unknown) => (typeof value === 'string' ? collapseSpace(value) : '');
  const { title, description } = feed as Record<string, unknown>;
  return definedFacts(text(title), text(description));
}

function localName(el: Element): string {
  const name = el.name.toLowerCase();
  return name.slice(name.indexOf(':') + 1);
}

/** Subtitles are sometimes escaped HTML; a description is plain text. */
function stripTags(text: string): string {
  return DomUtils.textContent(parseDocument(text));
}

function definedFacts(title: string, description: string): PageFacts {
  return { ...(title && { title }), ...(description && { description }) };
}
