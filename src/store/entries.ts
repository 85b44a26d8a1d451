import { sql, type Transaction } from 'kysely';
import type { Enclosure, NormalEntry } from '../core/types.js';
import type { Db } from './database.js';
import { bumpStreamVersion } from './meta.js';
import type { Database, EntryRow } from './schema.js';
import { recordSuccess, type SuccessState } from './sources.js';

/** An entry ready to store: sanitized, with the hash of its parsed (pre-sanitize) form. */
export interface StoredEntryInput extends NormalEntry {
  contentHash: string;
  /** The source gave no usable date (or one in the future): keep the first one we stored. */
  publishedAtGuessed?: boolean;
}

export interface SaveOutcome {
  added: number;
  updated: number;
  removed: number;
}

/** The stored content hash of each of a source's entries, keyed by entry id. */
export async function getEntryHashes(db: Db, sourceId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('entries').select(['entry_id', 'content_hash']).where('source_id', '=', sourceId).execute();
  return new Map(rows.map((r) => [r.entry_id, r.content_hash]));
}

/**
 * Writes one successful fetch in one transaction: new entries inserted, changed ones updated in place
 * (matched by source and entry id), unchanged ones untouched, the newest `maxEntries` kept, and the
 * source's state recorded. A crash leaves either all of it or none of it.
 */
export async function saveFetch(
  db: Db,
  sourceId: string,
  entries: readonly StoredEntryInput[],
  state: SuccessState & { maxEntries: number },
): Promise<SaveOutcome> {
  return db.transaction().execute(async (trx) => {
    const known = await getEntryRefs(trx, sourceId);
    const outcome: SaveOutcome = { added: 0, updated: 0, removed: 0 };
    // New entries are inserted together after the loop; an id repeated in `entries` keeps its last version.
    const added = new Map<string, StoredEntryInput>();
    for (const entry of entries) {
      const existing = known.get(entry.entryId);
      if (!existing) {
        added.set(entry.entryId, entry);
        known.set(entry.entryId, { hash: entry.contentHash, publishedAt: entry.publishedAt });
      } else if (existing.hash !== entry.contentHash) {
        let updated = true;
        if (added.has(entry.entryId)) added.set(entry.entryId, entry);
        else updated = await updateEntry(trx, sourceId, entry, existing.publishedAt, state.now);
        existing.hash = entry.contentHash;
        if (updated) outcome.updated += 1;
      }
    }
    outcome.added = await insertEntries(trx, sourceId, [...added.values()], state.now);
    outcome.removed = await applyRetention(trx, sourceId, state.maxEntries);
    await recordSuccess(trx, sourceId, state);
    await refreshSourceCounts(trx, sourceId);
    if (outcome.added + outcome.updated + outcome.removed > 0) await bumpStreamVersion(trx);
    return outcome;
  });
}

type Trx = Transaction<Database>;

async function getEntryRefs(trx: Trx, sourceId: string): Promise<Map<string, { hash: string; publishedAt: number }>> {
  const rows = await trx
    .selectFrom('entries')
    .select(['entry_id', 'content_hash', 'published_at'])
    .where('source_id', '=', sourceId)
    .execute();
  return new Map(rows.map((r) => [r.entry_id, { hash: r.content_hash, publishedAt: r.published_at }]));
}

function entryColumns(entry: StoredEntryInput, now: number) {
  return {
    title: entry.title,
    link: entry.link,
    author: entry.author ?? null,
    updated_at: entry.updatedAt ?? null,
    changed_at: now,
    categories: JSON.stringify(entry.categories),
    enclosures: JSON.stringify(entry.enclosures),
    content_html: entry.contentHtml,
    content_text: entry.contentText,
    excerpt: entry.excerpt,
    content_hash: entry.contentHash,
  };
}

/** Rows per INSERT: one statement compiled and prepared per chunk, not per entry; well under SQLite's variable cap. */
const INSERT_CHUNK = 50;

async function insertEntries(trx: Trx, sourceId: string, entries: readonly StoredEntryInput[], now: number): Promise<number> {
  for (let from = 0; from < entries.length; from += INSERT_CHUNK) {
    const rows = entries.slice(from, from + INSERT_CHUNK).map((entry) => ({
      source_id: sourceId,
      entry_id: entry.entryId,
      published_at: entry.publishedAt,
      first_seen_at: now,
      ...entryColumns(entry, now),
    }));
    await trx.insertInto('entries').values(rows).execute();
  }
  return entries.length;
}

/** The stored columns a reader can see, as entryColumns writes them. */
const VISIBLE_COLUMNS = ['title', 'link', 'author', 'updated_at', 'categories', 'enclosures', 'content_html', 'content_text', 'excerpt', 'published_at'] as const;

/**
 * Rewrites a changed entry; returns false when only its hash differed (as after a change of the
 * hash's formula): then the new hash is kept but changed_at, the index and the stream stay as they were.
 */
async function updateEntry(trx: Trx, sourceId: string, entry: StoredEntryInput, storedPublishedAt: number, now: number): Promise<boolean> {
  const columns = {
    ...entryColumns(entry, now),
    // A guessed date (none given, or one in the future) must not move the entry up the stream each poll.
    published_at: entry.publishedAtGuessed ? storedPublishedAt : entry.publishedAt,
  };
  const stored = await trx
    .selectFrom('entries')
    .select([...VISIBLE_COLUMNS])
    .where('source_id', '=', sourceId)
    .where('entry_id', '=', entry.entryId)
    .executeTakeFirst();
  const sameForReaders = stored !== undefined && VISIBLE_COLUMNS.every((name) => stored[name] === columns[name]);
  await trx
    .updateTable('entries')
    .set(sameForReaders ? { content_hash: entry.contentHash } : columns)
    .where('source_id', '=', sourceId)
    .where('entry_id', '=', entry.entryId)
    .execute();
  return !sameForReaders;
}

/** Deletes all but the newest `keep` entries of a source; returns how many went. */
async function applyRetention(trx: Trx, sourceId: string, keep: number): Promise<number> {
  const result = await trx
    .deleteFrom('entries')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('entries')
        .select('id')
        .where('source_id', '=', sourceId)
        .orderBy('published_at', 'desc')
        .orderBy('id', 'desc')
        .limit(-1)
        .offset(keep),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

async function refreshSourceCounts(trx: Trx, sourceId: string): Promise<void> {
  const row = await trx
    .selectFrom('entries')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('published_at').as('newest')])
    .where('source_id', '=', sourceId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('sources')
    .set({ entry_count: Number(row.count), newest_entry_at: row.newest ?? null })
    .where('id', '=', sourceId)
    .execute();
}

// ---- Reading the stream ----

export interface StreamCursorPosition {
  publishedAt: number;
  id: number;
}

export interface StreamQuery {
  sourceId?: string;
  category?: string;
  /** Entries strictly older than this position. */
  before?: StreamCursorPosition;
  /** Entries strictly newer than this position (the "newer" page). */
  after?: StreamCursorPosition;
  limit: number;
  /** Load content_html too (the exported feeds); pages need only the excerpt. */
  withContent?: boolean;
}

export interface StreamEntry {
  id: number;
  sourceId: string;
  sourceTitle: string;
  sourceSiteUrl: string;
  sourceFeedUrl: string | null;
  /** The source feed's own Atom id, when it has one. */
  sourceFeedAtomId: string | null;
  sourceCategory: string;
  entryId: string;
  title: string;
  link: string;
  author: string | null;
  publishedAt: number;
  updatedAt: number | null;
  firstSeenAt: number;
  changedAt: number;
  categories: string[];
  enclosures: Enclosure[];
  excerpt: string;
  /** '' unless the query asked for content. */
  contentHtml: string;
}

export interface StreamPage {
  entries: StreamEntry[];
  /** Position of the last entry when older ones exist. */
  older?: StreamCursorPosition;
  /** Position of the first entry when newer ones exist. */
  newer?: StreamCursorPosition;
}

/** One page of the active sources' entries, newest first, by keyset (never OFFSET). */
export async function listStream(db: Db, query: StreamQuery): Promise<StreamPage> {
  const forward = query.after === undefined;
  const rows = await streamRows(db, query, forward ? 'older' : 'newer', query.limit + 1);
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (!forward) page.reverse();
  const entries = page.map(toStreamEntry);
  const first = entries[0];
  const last = entries[entries.length - 1];
  const position = (e: StreamEntry) => ({ publishedAt: e.publishedAt, id: e.id });
  const hasOlder = forward ? more : last !== undefined && (await hasEntries(db, query, 'older', position(last)));
  const hasNewer = forward
    ? first !== undefined && query.before !== undefined && (await hasEntries(db, query, 'newer', position(first)))
    : more;
  return {
    entries,
    ...(hasOlder && last ? { older: position(last) } : {}),
    ...(hasNewer && first ? { newer: position(first) } : {}),
  };
}

type Direction = 'older' | 'newer';

function streamBase(db: Db, query: StreamQuery) {
  let q = db
    .selectFrom('entries as e')
    .innerJoin('sources as s', 's.id', 'e.source_id')
    .where('s.active', '=', 1);
  if (query.sourceId !== undefined) q = q.where('e.source_id', '=', query.sourceId);
  if (query.category !== undefined) q = q.where('s.category', '=', query.category);
  return q;
}

function streamRows(db: Db, query: StreamQuery, direction: Direction, limit: number) {
  const from = direction === 'older' ? query.before : query.after;
  let q = streamBase(db, query).select([
    'e.id',
    'e.source_id',
    's.title as source_title',
    's.site_url as source_site_url',
    's.feed_url as source_feed_url',
    's.feed_atom_id as source_feed_atom_id',
    's.category as source_category',
    'e.entry_id',
    'e.title',
    'e.link',
    'e.author',
    'e.published_at',
    'e.updated_at',
    'e.first_seen_at',
    'e.changed_at',
    'e.categories',
    'e.enclosures',
    'e.excerpt',
    query.withContent ? 'e.content_html' : sql<string>`''`.as('content_html'),
  ]);
  if (from) q = q.where(keysetCondition(direction, from));
  const order = direction === 'older' ? 'desc' : 'asc';
  return q.orderBy('e.published_at', order).orderBy('e.id', order).limit(limit).execute();
}

function keysetCondition(direction: Direction, from: StreamCursorPosition) {
  const op = direction === 'older' ? '<' : '>';
  return sql<boolean>`(e.published_at, e.id) ${sql.raw(op)} (${from.publishedAt}, ${from.id})`;
}

async function hasEntries(db: Db, query: StreamQuery, direction: Direction, from: StreamCursorPosition): Promise<boolean> {
  const row = await streamBase(db, query).select('e.id').where(keysetCondition(direction, from)).limit(1).executeTakeFirst();
  return row !== undefined;
}

type StreamRow = Awaited<ReturnType<typeof streamRows>>[number];

function toStreamEntry(row: StreamRow): StreamEntry {
  return {
    id: row.id,
    sourceId: row.source_id,
    sourceTitle: row.source_title,
    sourceSiteUrl: row.source_site_url,
    sourceFeedUrl: row.source_feed_url,
    sourceFeedAtomId: row.source_feed_atom_id,
    sourceCategory: row.source_category,
    entryId: row.entry_id,
    title: row.title,
    link: row.link,
    author: row.author,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
    firstSeenAt: row.first_seen_at,
    changedAt: row.changed_at,
    categories: parseJsonArray<string>(row.categories),
    enclosures: parseJsonArray<Enclosure>(row.enclosures),
    excerpt: row.excerpt,
    contentHtml: row.content_html,
  };
}

function parseJsonArray<T>(text: string): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}

export type { EntryRow };
