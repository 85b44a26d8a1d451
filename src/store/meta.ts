// The meta table's counters, the planner's statistics, and the cheapest question that tells whether
// the database answers.
import { sql } from 'kysely';
import type { Db } from './database.js';
import { databaseKindOf } from './dialect.js';

/** A number that goes up whenever what the stream shows changes (entries or the source list). */
export async function readStreamVersion(db: Db): Promise<number> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'stream_version').executeTakeFirst();
  return row?.value ?? 0;
}

export async function bumpStreamVersion(db: Db): Promise<void> {
  await db
    .updateTable('meta')
    .set({ value: sql<number>`value + 1` })
    .where('key', '=', 'stream_version')
    .execute();
}

/** Resolves when the database answers a SELECT 1; rejects with its error otherwise (for /healthz). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/**
 * On PostgreSQL, ANALYZEs the store's two big tables where they have rows but were never
 * analyzed, or grew by more than half (plus 200 rows) since their last ANALYZE; returns the tables
 * analyzed. Autovacuum keeps statistics current, but looks once a minute, and a first pass fills
 * an empty database in less; and it never analyzes a sources table of a few dozen rows (its
 * threshold is 50 changed rows), for which the planner then guesses one active source. Either
 * way it planned the home page's walk to sort every entry: ~100 ms a query during a first pass,
 * and 19 ms instead of 3 at 10,000 entries (bench/ANALYSIS.md, issue 18). A coarse sample (3,000
 * rows: 0.12 s at 1M entries, against 1.5 s at the default) is enough to choose the index walks;
 * autovacuum's next ANALYZE replaces it. A table another process or autovacuum is analyzing is
 * left to it (SKIP_LOCKED). SQLite plans well enough without statistics: nothing to do there.
 */
export async function refreshPlannerStatistics(db: Db): Promise<string[]> {
  if (databaseKindOf(db) !== 'postgres') return [];
  const { rows } = await sql<{ table: string }>`SELECT t.relname AS table FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid
    WHERE t.schemaname = current_schema() AND t.relname IN ('entries', 'sources')
      AND t.n_live_tup > 0 AND (c.reltuples < 0 OR t.n_live_tup > 200 + 1.5 * c.reltuples)
    ORDER BY t.relname`.execute(db);
  if (rows.length === 0) return [];
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL default_statistics_target = 10`.execute(trx);
    for (const { table } of rows) await sql`ANALYZE (SKIP_LOCKED) ${sql.table(table)}`.execute(trx);
  });
  return rows.map((row) => row.table);
}
