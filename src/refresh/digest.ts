// digestFeed: the CPU-bound middle of a refresh, from a fetched body to what must be written.
// Parse → filter → newest max_entries → hash → sanitize what changed. Pure (no store, no clock, no
// I/O) and made of plain data in and out, so it can run on a worker thread (digest-pool.ts).
import type { FeedMeta, NormalEntry } from '../core/types.js';
// The stages one by one, not ingest/index.js: that brings the fetcher (undici) into every worker.
import { compileFilter } from '../ingest/filter/index.js';
import { FeedParseError, findWebSubLinks, parseFeed, type WebSubLinks } from '../ingest/parse/index.js';
import { sanitizeEntry, sanitizeFeedMeta } from '../ingest/sanitize/index.js';
import type { StoredEntryInput } from '../store/index.js';
import { contentHash } from './content-hash.js';

export interface DigestInput {
  body: string;
  /** The URL the body came from: relative links resolve against it. */
  feedUrl: string;
  /** The fetch time: the parser's "now" for missing or future dates. */
  now: number;
  include: readonly string[];
  exclude: readonly string[];
  maxEntries: number;
  /** The stored content hash of each of the source's entries, by entry id. */
  storedHashes: ReadonlyMap<string, string>;
}

export type DigestOutput =
  | {
      kind: 'feed';
      /** Plain-text title, absolute http(s) link and icon, the feed's own id. */
      feed: FeedMeta;
      /** New or changed entries, sanitized, newest first; unchanged ones are left out. */
      changed: StoredEntryInput[];
      /** The WebSub hub and self link the feed names, if any. */
      webSub: WebSubLinks;
    }
  | { kind: 'parse-error'; message: string }
  /** Never digestFeed's own: the pool that ran it stopped it over its time or memory budget. */
  | { kind: 'refused'; message: string };

/** Runs a digest somewhere (a DigestPool's worker threads); rejects only on a bug or a closed pool. */
export type Digester = (input: DigestInput) => Promise<DigestOutput>;

export async function digestFeed(input: DigestInput): Promise<DigestOutput> {
  let parsed;
  try {
    parsed = await parseFeed(input.body, input.feedUrl, input.now);
  } catch (error) {
    if (error instanceof FeedParseError) return { kind: 'parse-error', message: error.message };
    throw error;
  }
  const filter = compileFilter({ include: [...input.include], exclude: [...input.exclude] });
  const wanted = newestFirst(uniqueById(parsed.entries.filter(filter))).slice(0, input.maxEntries);
  const feed = sanitizeFeedMeta({ id: parsed.id, title: parsed.title, link: parsed.link, icon: parsed.icon }, input.feedUrl);
  return { kind: 'feed', feed, changed: changedEntries(wanted, input), webSub: findWebSubLinks(input.body, input.feedUrl) };
}

/**
 * The entries whose hash (of the parsed form) differs from the stored one, sanitized. The
 * sanitizer runs last, and only on new or changed entries: everything before it (filter, hash)
 * sees the source's own content, and unchanged entries cost no sanitizing at all.
 */
function changedEntries(entries: readonly NormalEntry[], input: DigestInput): StoredEntryInput[] {
  const changed: StoredEntryInput[] = [];
  for (const entry of entries) {
    const guessed = isPublishedAtGuessed(entry, input.now);
    const hash = contentHash(entry, guessed);
    if (input.storedHashes.get(entry.entryId) === hash) continue;
    // The sanitizer prefers the entry's own base URL (xml:base) when the parser found one.
    const clean = sanitizeEntry(entry, input.feedUrl);
    changed.push({ ...clean, contentHash: hash, publishedAtGuessed: guessed });
  }
  return changed;
}

/**
 * Whether the date is the parser's guess. The parser gives a missing date, or one later than the
 * fetch, the fetch time it was handed (`now`); a `publishedAtGuessed` flag wins when it sets one.
 */
function isPublishedAtGuessed(entry: NormalEntry, now: number): boolean {
  return entry.publishedAtGuessed ?? entry.publishedAt === now;
}

/** A feed repeating an id keeps its first occurrence (feeds list newest first). */
function uniqueById(entries: readonly NormalEntry[]): NormalEntry[] {
  const seen = new Set<string>();
  const unique: NormalEntry[] = [];
  for (const entry of entries) {
    if (seen.has(entry.entryId)) continue;
    seen.add(entry.entryId);
    unique.push(entry);
  }
  return unique;
}

/**
 * Newest first, so cutting to max_entries keeps the same entries the store keeps: an entry the
 * store's retention dropped must not come back as "new" at the next poll.
 */
function newestFirst(entries: NormalEntry[]): NormalEntry[] {
  return entries.sort((a, b) => b.publishedAt - a.publishedAt);
}
