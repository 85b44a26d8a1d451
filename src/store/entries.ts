import { sql, type Transaction } from 'kysely';
import { linkKey, SAME_TITLE_WINDOW_MS, titleKey } from '../core/post-keys.js';
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
    link_key: linkKey(entry.link),
    title_key: titleKey(entry.title),
  };
}

/** Rows per INSERT: 18 values each stays far below the databases' limits on bound values. */
const INSERT_ROWS = 500;

/** Inserts the new entries; on SQLite a trigger queues each for the full-text index, written once a batch has gathered (search-index.ts). */
async function insertEntries(trx: Trx, sourceId: string, entries: readonly StoredEntryInput[], now: number): Promise<number> {
  if (entries.length === 0) return 0;
  const keyed = entries.map((entry) => ({
    source_id: sourceId,
    entry_id: entry.entryId,
    published_at: entry.publishedAt,
    first_seen_at: now,
    ...entryColumns(entry, now),
  }));
  const rows = await withDuplicateOf(trx, sourceId, keyed);
  for (let start = 0; start < rows.length; start += INSERT_ROWS) {
    await trx.insertInto('entries').values(rows.slice(start, start + INSERT_ROWS)).execute();
  }
  await indexFullBatch(trx);
  return entries.length;
}

/** Keys per lookup of earlier copies: two lists of them stay far below the bound-value limits. */
const LOOKUP_KEYS = 400;

interface EarlierCopy {
  id: number;
  duplicate_of: number | null;
  link_key: string | null;
  title_key: string | null;
  published_at: number;
}

/**
 * Sets duplicate_of on new rows that carry a post another source already brought: the same link
 * key, or the same title key within SAME_TITLE_WINDOW_MS. It names the first stored entry of that
 * post (the smallest id of its group), so the group is shown once, under the source that had it
 * first. A source's own entries never fold together; the grouping is made once, when stored.
 */
async function withDuplicateOf<Row extends { link_key: string | null; title_key: string | null; published_at: number }>(
  trx: Trx,
  sourceId: string,
  rows: Row[],
): Promise<(Row & { duplicate_of: number | null })[]> {
  const earlier: EarlierCopy[] = [];
  for (let start = 0; start < rows.length; start += LOOKUP_KEYS) {
    const slice = rows.slice(start, start + LOOKUP_KEYS);
    const links = [...new Set(slice.flatMap((r) => (r.link_key ? [r.link_key] : [])))];
    const titles = [...new Set(slice.flatMap((r) => (r.title_key ? [r.title_key] : [])))];
    if (links.length + titles.length === 0) continue;
    const found = await trx
      .selectFrom('entries')
      .select(['id', 'duplicate_of', 'link_key', 'title_key', 'published_at'])
      .where('source_id', '<>', sourceId)
      .where((eb) =>
        eb.or([
          ...(links.length > 0 ? [eb.and([eb('link_key', 'is not', null), eb('link_key', 'in', links)])] : []),
          ...(titles.length > 0 ? [eb.and([eb('title_key', 'is not', null), eb('title_key', 'in', titles)])] : []),
        ]),
      )
      .execute();
    earlier.push(...found);
  }
  if (earlier.length === 0) return rows.map((row) => ({ ...row, duplicate_of: null }));
  return rows.map((row) => {
    const roots = earlier
      .filter(
        (e) =>
          (row.link_key !== null && e.link_key === row.link_key) ||
          (row.title_key !== null && e.title_key === row.title_key && Math.abs(e.published_at - row.published_at) <= SAME_TITLE_WINDOW_MS),
      )
      .map((e) => e.duplicate_of ?? e.id);
    return { ...row, duplicate_of: roots.length > 0 ? Math.min(...roots) : null };
  });
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
  const dropped = sql<boolean>`(published_at, id) <= (${newestDropped.published_at}, ${newestDropped.id})`;
  // Groups whose first entry goes: their next entry takes its place, so the post stays shown once.
  const orphaned = await trx
    .selectFrom('entries')
    .select('duplicate_of')
    .distinct()
    .where('duplicate_of', 'in', (eb) => eb.selectFrom('entries').select('id').where('source_id', '=', sourceId).where(dropped))
    .execute();
  const result = await trx.deleteFrom('entries').where('source_id', '=', sourceId).where(dropped).executeTakeFirst();
  for (const { duplicate_of: oldRoot } of orphaned) if (oldRoot !== null) await promoteNextInGroup(trx, oldRoot);
  return Number(result.numDeletedRows);
}

/** After the first entry of a group is deleted: the group's next entry (smallest id) becomes its first. */
async function promoteNextInGroup(trx: Trx, oldRoot: number): Promise<void> {
  const next = await trx.selectFrom('entries').select('id').where('duplicate_of', '=', oldRoot).orderBy('id').limit(1).executeTakeFirst();
  if (!next) return;
  await trx.updateTable('entries').set({ duplicate_of: next.id }).where('duplicate_of', '=', oldRoot).where('id', '<>', next.id).execute();
  await trx.updateTable('entries').set({ duplicate_of: null }).where('id', '=', next.id).execute();
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
