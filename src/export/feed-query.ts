// The exported feeds' parameters (?source, ?category, ?limit) and what a filter makes of a feed's
// title, links and id. Pure: the routes pass in the sources they know.
import { mintedFeedId } from './model.js';

export type FeedFormat = 'rss' | 'atom' | 'json' | 'opml';

export interface FeedFormatInfo {
  path: string;
  /**
   * RSS, Atom and JSON Feed have registered (or documented) types. OPML has none registered;
   * text/x-opml is what OPML tools and feed readers (Feedly, Inoreader, NetNewsWire) send and
   * recognise, so a reader that is handed the link knows it is a subscription list.
   */
  contentType: string;
}

export const FEED_FORMATS: Readonly<Record<FeedFormat, FeedFormatInfo>> = {
  rss: { path: '/feed.xml', contentType: 'application/rss+xml; charset=utf-8' },
  atom: { path: '/atom.xml', contentType: 'application/atom+xml; charset=utf-8' },
  json: { path: '/feed.json', contentType: 'application/feed+json; charset=utf-8' },
  opml: { path: '/opml.xml', contentType: 'text/x-opml; charset=utf-8' },
};

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export interface FeedFilter {
  sourceId?: string;
  category?: string;
  /** How many items (OPML: outlines) at most; `limitGiven` says whether the request named it. */
  limit: number;
  limitGiven: boolean;
}

export type FeedQueryResult = { ok: true; filter: FeedFilter } | { ok: false; message: string };

/** What the routes know of a source, to check ?source= and ?category= against. */
export interface KnownSource {
  id: string;
  title: string;
  description: string;
  category: string;
}

const PARAMETERS = ['source', 'category', 'limit'] as const;

/**
 * Reads the query string (without '?') of a feed request. Anything but one each of source,
 * category and limit, a limit outside 1..200, a source not in the feeds file or a category no
 * source has is refused with a message a person can act on.
 */
export function parseFeedQuery(query: string, sources: readonly KnownSource[]): FeedQueryResult {
  const params = new URLSearchParams(query);
  const counts = new Map<string, number>();
  for (const name of params.keys()) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [name, count] of counts) {
    if (!(PARAMETERS as readonly string[]).includes(name)) {
      return refuse(`unknown parameter ${JSON.stringify(name)}; the feeds take source, category and limit`);
    }
    if (count > 1) return refuse(`parameter ${JSON.stringify(name)} given ${count} times; give it at most once`);
  }
  const limit = parseLimit(params.get('limit'));
  if (limit === undefined) {
    return refuse(`limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(params.get('limit'))}`);
  }
  const sourceId = params.get('source') ?? undefined;
  if (sourceId !== undefined && !sources.some((s) => s.id === sourceId)) {
    return refuse(`unknown source ${JSON.stringify(sourceId)}; see /opml.xml for the sources`);
  }
  const category = params.get('category') ?? undefined;
  if (category !== undefined && !sources.some((s) => s.category === category)) {
    const known = [...new Set(sources.map((s) => s.category))].sort().join(', ');
    return refuse(`no source has category ${JSON.stringify(category)}; the categories are: ${known}`);
  }
  return {
    ok: true,
    filter: {
      ...(sourceId !== undefined ? { sourceId } : {}),
      ...(category !== undefined ? { category } : {}),
      limit,
      limitGiven: params.has('limit'),
    },
  };
}

function refuse(message: string): FeedQueryResult {
  return { ok: false, message: `feeds: ${message}` };
}

/** null (absent) gives the default; undefined means not acceptable. */
function parseLimit(text: string | null): number | undefined {
  if (text === null) return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(text)) return undefined;
  const limit = Number(text);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : undefined;
}

/**
 * The filter in one canonical order ('' when there is none), e.g. "?source=a&category=b&limit=20".
 * The default limit is left out of links but kept in cache keys, so both spellings share one body.
 */
export function canonicalQuery(filter: FeedFilter, options: { withLimit: 'always' | 'when-not-default' }): string {
  const params = new URLSearchParams();
  if (filter.sourceId !== undefined) params.set('source', filter.sourceId);
  if (filter.category !== undefined) params.set('category', filter.category);
  if (options.withLimit === 'always' || filter.limit !== DEFAULT_LIMIT) params.set('limit', String(filter.limit));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface FeedDescription {
  /** Stable IRI for the feed under this filter, whatever the format or limit. */
  id: string;
  title: string;
  description: string;
  selfUrl: string;
  alternateUrl: string;
}

export interface SiteInfo {
  title: string;
  tagline: string;
  /** Public base URL ending in '/'. */
  url: string;
}

/**
 * Title, description and links of a feed under a filter: "Site — Source", "Site — category",
 * self = this document with the filter, alternate = /conversations with the same filter.
 */
export function describeFeed(format: FeedFormat, filter: FeedFilter, site: SiteInfo, source?: KnownSource): FeedDescription {
  const base = site.url.endsWith('/') ? site.url : `${site.url}/`;
  const withoutLimit = canonicalQuery({ ...filter, limit: DEFAULT_LIMIT }, { withLimit: 'when-not-default' });
  const parts = [source?.title, filter.category].filter((part): part is string => part !== undefined);
  return {
    id: mintedFeedId(base, filter),
    title: [site.title, ...parts].join(' — '),
    description: source ? source.description || site.tagline : site.tagline,
    selfUrl: `${base}${FEED_FORMATS[format].path.slice(1)}${canonicalQuery(filter, { withLimit: 'when-not-default' })}`,
    alternateUrl: `${base}conversations${withoutLimit}`,
  };
}
