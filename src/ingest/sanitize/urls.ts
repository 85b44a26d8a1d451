// URL policy of the sanitizer: what may stay in href/src/cite, and which images are trackers.
import { absoluteHttpUrl, resolveUrl } from '../parse/urls.js';

/** `url` made absolute against `baseUrl`, when it is http(s); '' for anything else. */
export function safeHttpUrl(url: string | undefined, baseUrl: string): string {
  if (url === undefined || url.trim() === '') return '';
  return absoluteHttpUrl(url, baseUrl) ?? '';
}

/** A link target: absolute http(s), or a mailto: address; '' for anything else. */
export function safeLinkUrl(url: string | undefined, baseUrl: string): string {
  const http = safeHttpUrl(url, baseUrl);
  if (http || url === undefined) return http;
  const mail = resolveUrl(url);
  return mail?.protocol === 'mailto:' && mail.pathname.includes('@') ? mail.href : '';
}

/** Hosts (and path prefixes) that serve nothing but tracking pixels. */
const TRACKERS: ReadonlyArray<{ host: string; path?: string }> = [
  { host: 'feeds.feedburner.com', path: '/~r/' },
  { host: 'feeds.feedburner.com', path: '/~ff/' },
  { host: 'feedproxy.google.com', path: '/~r/' },
  { host: 'pixel.wp.com' },
  { host: 'stats.wordpress.com' },
  { host: 'pixel.quantserve.com' },
  { host: 'www.google-analytics.com' },
  { host: 'stats.g.doubleclick.net' },
  { host: 'ad.doubleclick.net' },
  { host: 'pi.feedsportal.com' },
  { host: 'da.feedsportal.com' },
  { host: 'rss.feedsportal.com' },
  { host: 'res3.feedsportal.com' },
  { host: 'feeds.wordpress.com', path: '/1.0/' },
  { host: 'blogger.googleusercontent.com', path: '/tracker/' },
];

export function isTrackerUrl(url: string): boolean {
  const parsed = resolveUrl(url);
  if (parsed === undefined) return false;
  const host = parsed.hostname.toLowerCase();
  return TRACKERS.some((t) => host === t.host && (t.path === undefined || parsed.pathname.startsWith(t.path)));
}

/** An image attribute "0", "1", "1px" as a number of pixels; undefined when it is anything else. */
export function pixelSize(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^\s*(\d+)\s*(?:px)?\s*$/i.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** A 1×1 (or 0×0) image, or one from a known tracker: it counts a reader, it shows nothing. */
export function isTrackingImage(attribs: Record<string, string>): boolean {
  const width = pixelSize(attribs.width);
  const height = pixelSize(attribs.height);
  const tiny = width !== undefined && height !== undefined && width <= 1 && height <= 1;
  return tiny || (attribs.src !== undefined && isTrackerUrl(attribs.src));
}
