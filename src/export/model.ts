// What every writer takes: the feed's own metadata and the stored entries, plus the helpers they share
// (stable ids, dates, URLs) so the four formats agree on them.
import { createHash } from 'node:crypto';
import type { StreamEntry } from '../store/index.js';

export type { StreamEntry };

/** One exported feed: its metadata (already reflecting the filter) and its items, newest first. */
export interface ExportFeed {
  /** The feed's own title, e.g. "Patient Engagement for Care Teams — e-Patient Dave's Blog". */
  title: string;
  description: string;
  /** Stable IRI naming this feed (Atom feed id); the same for every format and limit. */
  id: string;
  /** Absolute URL of this document, for rel="self". */
  selfUrl: string;
  /** A WebSub hub (WEBSUB_HUB) readers may subscribe at for this feed, named as rel="hub". */
  hubUrl?: string;
  /** Absolute URL of the HTML page listing the same items, for rel="alternate". */
  alternateUrl: string;
  /** The portal itself: the feed's author and the authority of the tag: ids. */
  site: { title: string; url: string };
  /** Milliseconds: the newest `changedAt` among the items (see `lastChangedAt`), never the render time. */
  updatedAt: number;
  entries: readonly StreamEntry[];
}

/** Newest `changedAt` among the entries, else `fallback`: the body changes only when its items do. */
export function lastChangedAt(entries: readonly StreamEntry[], fallback: number): number {
  if (entries.length === 0) return fallback;
  return entries.reduce((newest, entry) => Math.max(newest, entry.changedAt), Number.NEGATIVE_INFINITY);
}

// ---- Dates ----

// What RFC 3339 / xsd:dateTime and RFC 822 can say: years 0000-9999.
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

function clampTime(ms: number): Date {
  if (!Number.isFinite(ms)) return new Date(0);
  return new Date(Math.min(Math.max(ms, 0), LATEST_MS));
}

/** RFC 3339 in UTC, milliseconds only when there are some: "2026-01-01T00:00:00Z". */
export function toRfc3339(ms: number): string {
  return clampTime(ms).toISOString().replace('.000Z', 'Z');
}

/** RFC 822 (as RSS 2.0 wants it, four-digit year): "Thu, 01 Jan 2026 00:00:00 GMT". */
export function toRfc822(ms: number): string {
  return clampTime(ms).toUTCString();
}

/** When the entry last changed as its source tells it: its updated time, never before it was published. */
export function entryUpdatedAt(entry: StreamEntry): number {
  return Math.max(entry.publishedAt, entry.updatedAt ?? entry.publishedAt);
}

// ---- URLs ----

/** An absolute http(s) URL in its serialized (percent-encoded, punycoded) form, or undefined. */
export function toHttpUrl(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The authority for tag: URIs (RFC 4151): the site's host name. */
export function tagAuthority(siteUrl: string): string {
  try {
    return new URL(siteUrl).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}

// ---- Stable ids ----

/** The year in every tag: URI this portal mints; fixed so the ids never move. */
const TAG_YEAR = '2026';

/** A tag: URI for an entry that is unique per source and stable across polls. */
export function mintedEntryId(entry: Pick<StreamEntry, 'sourceId' | 'entryId'>, siteUrl: string): string {
  const hash = createHash('sha256').update(entry.entryId, 'utf8').digest('hex').slice(0, 32);
  return `tag:${tagAuthority(siteUrl)},${TAG_YEAR}:${entry.sourceId}/${hash}`;
}

/** A tag: URI for one of the portal's own feeds (the stream, or a filtered part of it). */
export function mintedFeedId(siteUrl: string, filter: { sourceId?: string; category?: string }): string {
  const parts = ['stream'];
  if (filter.sourceId !== undefined) parts.push('source', filter.sourceId);
  if (filter.category !== undefined) parts.push('category', encodeURIComponent(filter.category));
  return `tag:${tagAuthority(siteUrl)},${TAG_YEAR}:${parts.join('/')}`;
}

const PERMALINK = /^https?:\/\/[^\s<>"{}|\\^`]+$/i;
const GLOBAL_ID = /^(?:https?:\/\/|tag:|urn:)[^\s<>"{}|\\^`]+$/i;

/** RSS guid: the source's own id when it is a permalink URL, else a minted tag: URI. */
export function rssGuid(entry: StreamEntry, siteUrl: string): { value: string; isPermaLink: boolean } {
  if (PERMALINK.test(entry.entryId)) return { value: entry.entryId, isPermaLink: true };
  return { value: mintedEntryId(entry, siteUrl), isPermaLink: false };
}

/**
 * Atom and JSON Feed id: the source's own id when it is already a global URI (an Atom id, a
 * permalink, a urn), as RFC 4287 asks of copied entries; else a minted tag: URI.
 */
export function globalEntryId(entry: StreamEntry, siteUrl: string): string {
  return GLOBAL_ID.test(entry.entryId) ? entry.entryId : mintedEntryId(entry, siteUrl);
}

/** The original feed's address (the source's feed URL, else its site), for `<source>` elements. */
export function sourceFeedUrl(entry: StreamEntry): string | undefined {
  return toHttpUrl(entry.sourceFeedUrl) ?? toHttpUrl(entry.sourceSiteUrl);
}

/** A media type ("audio/mpeg", "text/html; charset=utf-8") or undefined for anything else. */
export function toMediaType(text: string | undefined): string | undefined {
  const type = text?.trim();
  return type && /^[\w.+-]+\/[\w.+-]+(?:\s*;[^\n\r]*)?$/.test(type) ? type : undefined;
}

/** An enclosure's size in bytes when the source gave a usable one. */
export function toByteLength(length: number | undefined): number | undefined {
  return length !== undefined && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** The entry as HTML: its sanitized content, else its plain-text excerpt escaped (never read as markup). */
export function entryHtml(entry: Pick<StreamEntry, 'contentHtml' | 'excerpt'>): string {
  return entry.contentHtml || escapeHtml(entry.excerpt);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
