// The WebSub hub and topic a feed names (W3C WebSub, "Discovery"): <link rel="hub"> and rel="self"
// in Atom, <atom:link> inside an RSS channel, JSON Feed's `hubs` and `feed_url`, or HTTP Link
// headers. Hub URLs come from remote feeds: only http(s) without credentials are kept.

export interface WebSubLinks {
  hub?: string;
  /** The topic to subscribe to: the feed's rel="self", when it names one. */
  self?: string;
}

/** Link elements sit in the feed's head, before the first entry: no need to scan a whole big body. */
const HEAD_CHARS = 64 * 1024;

const LINK_TAG = /<(?:[\w-]+:)?link\b[^>]*>/gi;

/** The hub and self link of a fetched body (XML or JSON Feed); `baseUrl` resolves relative ones. */
export function findWebSubLinks(body: string, baseUrl: string): WebSubLinks {
  const start = body.trimStart();
  if (start.startsWith('{')) return jsonFeedLinks(body, baseUrl);
  const head = headOf(body);
  const found: WebSubLinks = {};
  for (const match of head.matchAll(LINK_TAG)) {
    const rels = attribute(match[0], 'rel')?.toLowerCase().split(/\s+/) ?? [];
    const href = attribute(match[0], 'href');
    if (href === undefined) continue;
    if (rels.includes('hub')) found.hub ??= webUrl(href, baseUrl);
    if (rels.includes('self')) found.self ??= webUrl(href, baseUrl);
  }
  return withoutUndefined(found);
}

/** The hub and self of HTTP Link headers (RFC 8288): `<https://hub.example/>; rel="hub", <...>; rel=self`. */
export function parseLinkHeader(value: string | null | undefined, baseUrl: string): WebSubLinks {
  if (!value) return {};
  const found: WebSubLinks = {};
  for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    const target = match[1] ?? '';
    if (rels.includes('hub')) found.hub ??= webUrl(target, baseUrl);
    if (rels.includes('self')) found.self ??= webUrl(target, baseUrl);
  }
  return withoutUndefined(found);
}

function headOf(body: string): string {
  const firstEntry = body.slice(0, HEAD_CHARS).search(/<(?:[\w-]+:)?(?:entry|item)\b/i);
  return firstEntry < 0 ? body.slice(0, HEAD_CHARS) : body.slice(0, firstEntry);
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2];
  return raw === undefined ? undefined : decodeXmlEntities(raw);
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[\da-f]+);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower === 'amp') return '&';
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function jsonFeedLinks(body: string, baseUrl: string): WebSubLinks {
  // Most JSON Feeds name no hub: parse only those that might.
  if (!body.includes('"hubs"')) return {};
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof document !== 'object' || document === null) return {};
  const { hubs, feed_url: feedUrl } = document as { hubs?: unknown; feed_url?: unknown };
  const hub = Array.isArray(hubs)
    ? hubs.find((h): h is { type: string; url: string } => typeof h?.url === 'string' && String(h?.type).toLowerCase() === 'websub')
    : undefined;
  return withoutUndefined({
    hub: hub ? webUrl(hub.url, baseUrl) : undefined,
    self: typeof feedUrl === 'string' ? webUrl(feedUrl, baseUrl) : undefined,
  });
}

/** An absolute http(s) URL without user or password, or undefined. */
function webUrl(text: string, baseUrl: string): string | undefined {
  try {
    const url = new URL(text.trim(), baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username !== '' || url.password !== '') return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

function withoutUndefined(links: WebSubLinks): WebSubLinks {
  const result: WebSubLinks = {};
  if (links.hub !== undefined) result.hub = links.hub;
  if (links.self !== undefined) result.self = links.self;
  return result;
}
