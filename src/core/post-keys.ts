// The keys that tell one post carried by several sources: its link and its title, each folded so
// the small differences between feeds (a utm_ tag, a trailing slash, a capital letter) vanish.
import { createHash } from 'node:crypto';

/** Two entries with the same title key fold only when published this close together. */
export const SAME_TITLE_WINDOW_MS = 48 * 60 * 60 * 1000;

/**
 * The link as every feed would write it: scheme and host lower case and default ports gone (the
 * URL parser does both), the fragment and `utm_*` parameters dropped, no trailing slash on the
 * path. '' for no link or one that is not an http(s) URL.
 */
export function normalizeLink(link: string): string {
  if (!link) return '';
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) {
    if (name.toLowerCase().startsWith('utm_')) url.searchParams.delete(name);
  }
  const path = url.pathname.replace(/\/+$/, '');
  const query = url.searchParams.size > 0 ? `?${url.searchParams.toString()}` : '';
  return `${url.protocol}//${url.host}${path}${query}`;
}

/** The title with case, accents' forms, whitespace and punctuation folded: "Hello,  World!" → "hello world". */
export function normalizeTitle(title: string): string {
  const words = title.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.join(' ');
}

/** A short hash of a normalised text, so the indexes stay small; null when there is nothing to key. */
function keyOf(normalized: string): string | null {
  return normalized === '' ? null : createHash('sha256').update(normalized, 'utf8').digest('base64url').slice(0, 22);
}

export const linkKey = (link: string): string | null => keyOf(normalizeLink(link));
export const titleKey = (title: string): string | null => keyOf(normalizeTitle(title));
