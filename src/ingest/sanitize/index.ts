// sanitize: the last step before an entry is stored. Whatever a feed sent, what leaves here is
// allow-listed HTML with absolute http(s) URLs, and plain text where the portal shows text.
import sanitize from 'sanitize-html';
import type { Enclosure, FeedMeta, NormalEntry } from '../../core/types.js';
import { makeExcerpt, plainText } from '../parse/text.js';
import { contentPolicy } from './policy.js';
import { textOfSanitizedHtml } from './text.js';
import { safeHttpUrl } from './urls.js';

export { safeHttpUrl } from './urls.js';
export { findSanitizeViolations } from './violations.js';

/** Allow-listed HTML; relative href/src/cite resolved against `baseUrl`. */
export function sanitizeHtml(html: string, baseUrl: string): string {
  if (!html) return '';
  return sanitize(html, contentPolicy(baseUrl)).trim();
}

const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(?:\s*;.*)?$/i;

function safeEnclosures(enclosures: readonly Enclosure[], baseUrl: string): Enclosure[] {
  const safe: Enclosure[] = [];
  for (const item of enclosures) {
    const url = safeHttpUrl(item.url, baseUrl);
    if (!url) continue;
    const enclosure: Enclosure = { url };
    if (item.type && MIME_TYPE.test(item.type)) enclosure.type = item.type;
    if (Number.isSafeInteger(item.length) && (item.length ?? -1) >= 0) enclosure.length = item.length;
    safe.push(enclosure);
  }
  return safe;
}

function plainCategories(categories: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const category of categories) {
    const text = plainText(category);
    if (text && !byKey.has(text.toLowerCase())) byKey.set(text.toLowerCase(), text);
  }
  return [...byKey.values()];
}

/**
 * The entry as it may be stored and shown. Runs LAST, after parsing, normalising and filtering:
 * content is allow-listed (against the entry's own base URL when the parser found one, else
 * `baseUrl`), contentText and excerpt are recomputed from what survived, title/author/categories
 * become plain text, link and enclosure URLs absolute http(s) or dropped.
 */
export function sanitizeEntry(entry: NormalEntry, baseUrl: string): NormalEntry {
  const base = safeHttpUrl(entry.baseUrl, baseUrl) || baseUrl;
  const contentHtml = sanitizeHtml(entry.contentHtml, base);
  const contentText = textOfSanitizedHtml(contentHtml);
  // Field by field, not a spread: the parser's own contentText and excerpt are computed on first
  // read, and are not wanted here (they are recomputed from what survived).
  const safe: NormalEntry = {
    entryId: entry.entryId,
    title: plainText(entry.title),
    link: safeHttpUrl(entry.link, base),
    publishedAt: entry.publishedAt,
    categories: plainCategories(entry.categories),
    enclosures: safeEnclosures(entry.enclosures, base),
    contentHtml,
    contentText,
    excerpt: makeExcerpt(contentText),
  };
  if (entry.publishedAtGuessed !== undefined) safe.publishedAtGuessed = entry.publishedAtGuessed;
  if (entry.updatedAt !== undefined) safe.updatedAt = entry.updatedAt;
  if (entry.baseUrl !== undefined) safe.baseUrl = entry.baseUrl;
  const author = plainText(entry.author);
  if (author) safe.author = author;
  return safe;
}

/** Feed-level facts the portal shows: plain-text title, absolute http(s) link and icon. */
export function sanitizeFeedMeta(meta: FeedMeta, baseUrl: string): FeedMeta {
  const safe: FeedMeta = {};
  const title = plainText(meta.title);
  const link = safeHttpUrl(meta.link, baseUrl);
  const icon = safeHttpUrl(meta.icon, baseUrl);
  if (title) safe.title = title;
  if (link) safe.link = link;
  if (icon) safe.icon = icon;
  if (meta.id !== undefined && ABSOLUTE_URI.test(meta.id)) safe.id = meta.id;
  return safe;
}

/** A feed id is re-exported as an Atom id: keep only an absolute URI (tag:, urn:, http:, ...) without spaces. */
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:[^\s<>"]+$/i;
