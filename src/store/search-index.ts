// Keeping the full-text index current. On SQLite it is written in batches: new entries wait in
// entries_fts_pending (a trigger puts them there) until a few thousand have gathered, a pass ends,
// or the store opens; FTS5 writes one index segment per batch, and fetch-sized batches cost it ~3×
// the CPU (migration 0005). On PostgreSQL the search column is computed with the row (migration
// 0001): nothing waits, and every function here has nothing to do.
import { sql, type Kysely } from 'kysely';
import { databaseKindOf } from './dialect.js';
import type { Database } from './schema.js';

/** Pending entries past which a saved fetch indexes them all at once. */
export const INDEX_BATCH = 2000;

type Executor = Kysely<Database>;

export async function countPendingEntries(db: Executor): Promise<number> {
  if (databaseKindOf(db) === 'postgres') return 0;
  const result = await sql<{ n: number }>`SELECT count(*) AS n FROM entries_fts_pending`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** After a saved fetch inserted entries, in its transaction: indexes the batch once INDEX_BATCH are pending. */
export async function indexFullBatch(trx: Executor): Promise<void> {
  if ((await countPendingEntries(trx)) >= INDEX_BATCH) await indexPendingIn(trx);
}

/** Indexes every pending entry, in the caller's transaction. */
async function indexPendingIn(trx: Executor): Promise<void> {
  await sql`INSERT INTO entries_fts (rowid, title, content_text)
    SELECT e.id, e.title, e.content_text FROM entries_fts_pending p JOIN entries e ON e.id = p.id`.execute(trx);
  await sql`DELETE FROM entries_fts_pending`.execute(trx);
}

/**
 * Makes every stored entry searchable: what a pass calls when it ends, and the store when it
 * opens (entries a stopped process left pending). Returns how many were indexed.
 */
export async function indexPendingEntries(db: Executor): Promise<number> {
  if (databaseKindOf(db) === 'postgres') return 0;
  return db.transaction().execute(async (trx) => {
    const pending = await countPendingEntries(trx);
    if (pending > 0) await indexPendingIn(trx);
    return pending;
  });
}
