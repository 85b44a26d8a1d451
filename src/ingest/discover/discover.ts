// discover: the feeds a web page names with <link rel="alternate" type="...">, as absolute URLs.
import { DomUtils, parseDocument } from 'htmlparser2';

/** One feed a page points at. */
export interface DiscoveredFeed {
  /** Absolute http(s) URL, resolved against <base href> and the page URL. */
  url: string;
  /** The declared media type, lowercased, parameters dropped: 'application/rss+xml'. */
  type: string;
  /** The link's title attribute, whitespace collapsed, when it has one. */
  title?: string;
}

/** The media types that announce a feed; JSON Feed pages use either of the last two. */
export const FEED_MEDIA_TYPES: readonly string[] = [
  'application/rss+xml',
  'application/atom+xml',
  'application/feed+json',
  'application/json',
];

type Element = ReturnType<typeof DomUtils.findAll>[number];

/**
 * The feeds `html` declares, in document order, each URL once. `pageUrl` is where the page came
 * from (after redirects). Links are taken wherever they sit: htmlparser2 builds no implied <head>,
 * and pages with a missing or unclosed <head> are common.
 */
export function discoverFeeds(html: string, pageUrl: string): DiscoveredFeed[] {
  const document = parseDocument(html);
  const base = baseUrl(DomUtils.findOne((el) => el.name === 'base' && hasValue(el, 'href'), document), pageUrl);
  if (base === undefined) return [];
  const seen = new Set<string>();
  const feeds: DiscoveredFeed[] = [];
  for (const link of DomUtils.findAll((el) => el.name === 'link', document)) {
    const feed = feedFromLink(link, base);
    if (feed === undefined || seen.has(feed.url)) continue;
    seen.add(feed.url);
    feeds.push(feed);
  }
  return feeds;
}

/** <base href> resolved against the page; the page itself without one (or with a broken one). */
function baseUrl(base: Element | null, pageUrl: string): string | undefined {
  if (!URL.canParse(pageUrl)) return undefined;
  const href = base?.attribs['href']?.trim();
  if (href && URL.canParse(href, pageUrl)) return new URL(href, pageUrl).href;
  return pageUrl;
}

function feedFromLink(link: Element, base: string): DiscoveredFeed | undefined {
  const rel = (link.attribs['rel'] ?? '').toLowerCase().split(/\s+/);
  if (!rel.includes('alternate')) return undefined;
  const type = mediaType(link.attribs['type']);
  if (!FEED_MEDIA_TYPES.includes(type)) return undefined;
  const url = absoluteHttpUrl(link.attribs['href'], base);
  if (url === undefined) return undefined;
  const title = collapseSpace(link.attribs['title'] ?? '');
  return title ? { url, type, title } : { url, type };
}

/** 'Application/RSS+XML; charset=utf-8' → 'application/rss+xml' */
function mediaType(raw: string | undefined): string {
  return (raw ?? '').split(';')[0]!.trim().toLowerCase();
}

/** An http(s) link from a page, resolved against it, without its fragment; undefined for anything else. */
export function absoluteHttpUrl(href: string | undefined, base: string): string | undefined {
  const trimmed = href?.trim();
  if (!trimmed || !URL.canParse(trimmed, base)) return undefined;
  const url = new URL(trimmed, base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  return url.href;
}

function hasValue(el: Element, name: string): boolean {
  return (el.attribs[name] ?? '').trim() !== '';
}

export function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
