import { sql, type Transaction } from 'kysely';
import type { NormalEntry } from '../core/types.js';
import type { Db } from './database.js';
import { bumpStreamVersion } from './meta.js';
import { indexFullBatch } from './search-index.js';
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
    // `known` now holds every stored entry of the source: retention has work only past maxEntries.
    if (known.size > state.maxEntries) outcome.removed = await applyRetention(trx, sourceId, state.maxEntries);
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

/** Rows per INSERT: 15 values each stays far below the databases' limits on bound values. */
const INSERT_ROWS = 500;

/** Inserts the new entries; on SQLite a trigger queues each for the full-text index, written once a batch has gathered (search-index.ts). */
async function insertEntries(trx: Trx, sourceId: string, entries: readonly StoredEntryInput[], now: number): Promise<number> {
  if (entries.length === 0) return 0;
  const rows = entries.map((entry) => ({
    source_id: sourceId,
    entry_id: entry.entryId,
    published_at: entry.publishedAt,
    first_seen_at: now,
    ...entryColumns(entry, now),
  }));
  for (let start = 0; start < rows.length; start += INSERT_ROWS) {
    await trx.insertInto('entries').values(rows.slice(start, start + INSERT_ROWS)).execute();
  }
  await indexFullBatch(trx);
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

/**
 * Deletes all but the newest `keep` entries of a source; returns how many went. The newest one
 * past them is found first, then it and every older one go: one SQL for both databases (an
 * OFFSET without LIMIT is written differently in each), two walks of entries_source_newest.
 */
async function applyRetention(trx: Trx, sourceId: string, keep: number): Promise<number> {
  const newestDropped = await trx
    .selectFrom('entries')
    .select(['published_at', 'id'])
    .where('source_id', '=', sourceId)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .offset(keep)
    .executeTakeFirst();
  if (!newestDropped) return 0;
  const result = await trx
    .deleteFrom('entries')
    .where('source_id', '=', sourceId)
    .where(sql<boolean>`(published_at, id) <= (${newestDropped.published_at}, ${newestDropped.id})`)
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

export type { EntryRow };
