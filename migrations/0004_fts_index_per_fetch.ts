import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

/**
 * New entries are indexed by saveFetch, one INSERT … SELECT per saved fetch, instead of by a trigger
 * per row. FTS5 writes its pending terms out as a new index segment at every statement savepoint,
 * and with the trigger each entry row's own INSERT was one: a segment per entry, merged again and
 * again (~150 µs of CPU per 1 KB entry here; one statement per fetch: ~60 µs). Updates and deletes
 * keep their triggers: they need the old row's text, and they are rare.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  // FTS5 only: PostgreSQL's search column (migration 0001) needs none of it.
  if (dialect === 'postgres') return;
  await sql`DROP TRIGGER IF EXISTS entries_fts_insert`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  if (dialect === 'postgres') return;
  await sql`CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, content_text) VALUES (new.id, new.title, new.content_text);
  END`.execute(db);
}
