import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

/**
 * New entries wait in entries_fts_pending and are indexed in batches of thousands (see the store's
 * indexPendingEntries), not one saved fetch at a time: FTS5 writes a segment per batch, and the
 * per-segment work was ~50 µs of CPU per 1 KB entry with fetch-sized batches (~15 µs in batches of
 * thousands). The delete and update triggers leave a pending entry to its batch, which reads the
 * row as it is then; an indexed one they keep in step as before.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  // FTS5 only: PostgreSQL's search column (migration 0001) needs none of it.
  if (dialect === 'postgres') return;
  await sql`CREATE TABLE entries_fts_pending (id INTEGER PRIMARY KEY)`.execute(db);
  // Entries stored before this migration were indexed by saveFetch in the same transaction: none is pending.
  await sql`CREATE TRIGGER entries_fts_pending_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts_pending (id) VALUES (new.id);
  END`.execute(db);
  await sql`DROP TRIGGER entries_fts_delete`.execute(db);
  await sql`CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, content_text)
      SELECT 'delete', old.id, old.title, old.content_text
      WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = old.id);
    DELETE FROM entries_fts_pending WHERE id = old.id;
  END`.execute(db);
  await sql`DROP TRIGGER entries_fts_update`.execute(db);
  await sql`CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, content_text ON entries
    WHEN NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = old.id) BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, content_text)
      VALUES ('delete', old.id, old.title, old.content_text);
    INSERT INTO entries_fts (rowid, title, content_text) VALUES (new.id, new.title, new.content_text);
  END`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  if (dialect === 'postgres') return;
  await sql`INSERT INTO entries_fts (rowid, title, content_text)
    SELECT e.id, e.title, e.content_text FROM entries_fts_pending p JOIN entries e ON e.id = p.id`.execute(db);
  await sql`DROP TRIGGER entries_fts_pending_insert`.execute(db);
  await sql`DROP TRIGGER entries_fts_update`.execute(db);
  await sql`CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, content_text ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, content_text)
      VALUES ('delete', old.id, old.title, old.content_text);
    INSERT INTO entries_fts (rowid, title, content_text) VALUES (new.id, new.title, new.content_text);
  END`.execute(db);
  await sql`DROP TRIGGER entries_fts_delete`.execute(db);
  await sql`CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, content_text)
      VALUES ('delete', old.id, old.title, old.content_text);
  END`.execute(db);
  await sql`DROP TABLE entries_fts_pending`.execute(db);
}
