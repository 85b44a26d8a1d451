// A source's icon: where to look (the feed's own image, the site page's <link rel="icon">, the
// site's /favicon.ico), fetched with the feed fetcher's limits, and kept only when its bytes are
// really a PNG, GIF, JPEG or ICO. The bytes decide, never the Content-Type: an SVG can carry
// script, and an HTML page served as favicon.ico is common.
import { createHash } from 'node:crypto';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { CacheValidators } from '../../core/types.js';
import { absoluteHttpUrl } from '../discover/discover.js';
import { decodeFeedBody } from '../fetch/charset.js';
import { fetchBytes } from '../fetch/fetch-bytes.js';
import type { FetchOptions } from '../fetch/fetch-feed.js';

/** The largest icon kept: a 16 or 32 pixel icon is a few KB; more is a photo or a banner. */
export const ICON_MAX_BYTES = 64 * 1024;

/** The largest site page read for its <link rel="icon">. */
export const PAGE_MAX_BYTES = 1024 * 1024;

/** A page's icon links tried at most; /favicon.ico is tried after them whatever they were. */
export const MAX_PAGE_ICONS = 3;

/** The longest one icon or page request may take: shorter than a feed's, icons are small. */
export const ICON_TIMEOUT_MS = 10_000;

export type IconMediaType = 'image/png' | 'image/gif' | 'image/jpeg' | 'image/x-icon';

const IMAGE_ACCEPT = 'image/png, image/x-icon, image/vnd.microsoft.icon, image/gif, image/jpeg;q=0.9, image/*;q=0.5';
const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';

/**
 * The image format the bytes begin with, by their magic numbers; undefined for anything else
 * (SVG, HTML, WebP, truncated or empty bodies). An ICO's directory must fit inside the bytes.
 */
export function sniffIconType(bytes: Uint8Array): IconMediaType | undefined {
  const starts = (...magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  // The signature, then the IHDR chunk that must come first.
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) && ascii(bytes, 12, 4) === 'IHDR') return 'image/png';
  if ((ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') && bytes.length >= 13) return 'image/gif';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x00, 0x00, 0x01, 0x00) && isIcoDirectory(bytes)) return 'image/x-icon';
  return undefined;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return bytes.length < at + length ? '' : String.fromCharCode(...bytes.subarray(at, at + length));
}

/** 1 to 255 images, each entry's data (size, offset; little-endian) inside the file and past the directory. */
function isIcoDirectory(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.length >= 6 ? view.getUint16(4, true) : 0;
  const directoryEnd = 6 + 16 * count;
  if (count === 0 || bytes.length < directoryEnd) return false;
  for (let i = 0; i < count; i += 1) {
    const entry = 6 + 16 * i;
    const size = view.getUint32(entry + 8, true);
    const offset = view.getUint32(entry + 12, true);
    if (size === 0 || offset < directoryEnd || offset + size > bytes.length) return false;
  }
  return true;
}

/**
 * The icons a site's page names, best first: rel="icon" (and "shortcut icon") in document order,
 * then apple-touch-icon. An SVG is left out when its type or name says so (its bytes would be
 * refused anyway, at the cost of a request).
 */
export function findPageIcons(html: string, pageUrl: string): string[] {
  const document = parseDocument(html);
  const baseHref = DomUtils.findOne((el) => el.name === 'base' && Boolean(el.attribs['href']?.trim()), document)?.attribs['href'];
  const base = absoluteHttpUrl(baseHref, pageUrl) ?? pageUrl;
  const icons: string[] = [];
  const touchIcons: string[] = [];
  for (const link of DomUtils.findAll((el) => el.name === 'link', document)) {
    const rel = (link.attribs['rel'] ?? '').toLowerCase().split(/\s+/);
    const url = absoluteHttpUrl(link.attribs['href'], base);
    const type = (link.attribs['type'] ?? '').toLowerCase();
    if (url === undefined || type.includes('svg') || new URL(url).pathname.toLowerCase().endsWith('.svg')) continue;
    if (rel.includes('icon')) icons.push(url);
    else if (rel.includes('apple-touch-icon') || rel.includes('apple-touch-icon-precomposed')) touchIcons.push(url);
  }
  return [...new Set([...icons, ...touchIcons])];
}

/** Where to look for a source's icon, and what the last look kept. */
export interface IconSearch {
  /** The feed's own image or icon (RSS <image><url>, Atom <icon>/<logo>, JSON Feed icon/favicon). */
  feedIcon: string | null;
  siteUrl: string;
  /** The image kept before: fetched again conditionally when the search leads to the same URL. */
  stored?: { url: string; etag: string | null; lastModified: string | null };
}

/** An image that passed the checks. */
export interface ValidIcon {
  url: string;
  mediaType: IconMediaType;
  bytes: Uint8Array;
  /** SHA-256 of the bytes, hex. */
  hash: string;
  etag?: string;
  lastModified?: string;
}

/** The feed fetcher's options, and a signal that stops the look (the process is shutting down). */
export type IconFetchOptions = FetchOptions & { signal?: AbortSignal | undefined };

export type IconOutcome =
  | { kind: 'found'; icon: ValidIcon }
  /** The kept image's URL answered 304. */
  | { kind: 'unchanged'; url: string }
  /** Nothing usable; each URL tried with why it was refused. */
  | { kind: 'none'; tried: { url: string; reason: string }[] };

/**
 * Looks for the source's icon: the feed's image, else the site page's icon links, else
 * /favicon.ico at the site's origin; the first that passes is the answer. Never throws.
 */
export async function findSourceIcon(search: IconSearch, fetchOptions: IconFetchOptions): Promise<IconOutcome> {
  const options = { ...fetchOptions, timeoutMs: Math.min(fetchOptions.timeoutMs, ICON_TIMEOUT_MS) };
  const tried: { url: string; reason: string }[] = [];
  const seen = new Set<string>();
  const attempt = async (url: string | undefined): Promise<IconOutcome | undefined> => {
    if (url === undefined || seen.has(url) || options.signal?.aborted) return undefined;
    seen.add(url);
    const outcome = await fetchIcon(url, search.stored?.url === url ? search.stored : undefined, options);
    if (outcome.kind === 'refused') tried.push({ url, reason: outcome.reason });
    return outcome.kind === 'refused' ? undefined : outcome;
  };

  const fromFeed = await attempt(absoluteHttpUrl(search.feedIcon ?? undefined, search.siteUrl));
  if (fromFeed) return fromFeed;
  const page = await fetchBytes(search.siteUrl, {}, { ...options, accept: PAGE_ACCEPT, maxBytes: PAGE_MAX_BYTES });
  let origin = absoluteHttpUrl('/', search.siteUrl);
  if (page.kind === 'ok') {
    origin = absoluteHttpUrl('/', page.finalUrl);
    for (const url of findPageIcons(decodeFeedBody(page.bytes, page.contentType), page.finalUrl).slice(0, MAX_PAGE_ICONS)) {
      const fromPage = await attempt(url);
      if (fromPage) return fromPage;
    }
  } else {
    tried.push({ url: search.siteUrl, reason: page.kind === 'error' ? page.message : 'the page answered 304' });
  }
  const fromOrigin = await attempt(origin === undefined ? undefined : new URL('/favicon.ico', origin).href);
  return fromOrigin ?? { kind: 'none', tried };
}

type OneIcon = Exclude<IconOutcome, { kind: 'none' }> | { kind: 'refused'; reason: string };

async function fetchIcon(url: string, stored: IconSearch['stored'], options: IconFetchOptions): Promise<OneIcon> {
  const validators: CacheValidators = {};
  if (stored?.etag) validators.etag = stored.etag;
  if (stored?.lastModified) validators.lastModified = stored.lastModified;
  const result = await fetchBytes(url, validators, { ...options, accept: IMAGE_ACCEPT, maxBytes: ICON_MAX_BYTES });
  if (result.kind === 'error') return { kind: 'refused', reason: result.message };
  if (result.kind === 'not-modified') return stored ? { kind: 'unchanged', url } : { kind: 'refused', reason: 'icon: 304 to a request that was not conditional' };
  const mediaType = sniffIconType(result.bytes);
  if (mediaType === undefined) return { kind: 'refused', reason: `icon: not a PNG, GIF, JPEG or ICO image (${result.contentType ?? 'no Content-Type'})` };
  const icon: ValidIcon = { url, mediaType, bytes: result.bytes, hash: createHash('sha256').update(result.bytes).digest('hex') };
  if (result.etag) icon.etag = result.etag;
  if (result.lastModified) icon.lastModified = result.lastModified;
  return { kind: 'found', icon };
}

