import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('site_url', 'text', (c) => c.notNull())
    .addColumn('feed_url', 'text')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('category', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('feed_title', 'text')
    .addColumn('feed_link', 'text')
    .addColumn('feed_icon', 'text')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('last_attempt_at', 'integer')
    .addColumn('last_success_at', 'integer')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_duration_ms', 'integer')
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('backoff_until', 'integer')
    .addColumn('next_poll_at', 'integer')
    .addColumn('gone', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('moved_to', 'text')
    .addColumn('entry_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('newest_entry_at', 'integer')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('entries')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('entry_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('published_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer')
    .addColumn('first_seen_at', 'integer', (c) => c.notNull())
    .addColumn('changed_at', 'integer', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('enclosures', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('content_html', 'text', (c) => c.notNull())
    .addColumn('content_text', 'text', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('entries_source_entry_unique', ['source_id', 'entry_id'])
    .execute();

  // The stream is always read newest first with a (published_at, id) keyset: these make it an index walk.
  await sql`CREATE INDEX entries_newest ON entries (published_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX entries_source_newest ON entries (source_id, published_at DESC, id DESC)`.execute(db);

  await db.schema
    .createTable('poll_runs')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_at', 'integer', (c) => c.notNull())
    .addColumn('finished_at', 'integer')
    .addColumn('sources_due', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fetched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_modified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('entries_added', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('entries_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // One row per counter; 'stream_version' goes up whenever what the stream shows changes, so page and
  // feed caches (even in another process) know when to let go.
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO meta (key, value) VALUES ('stream_version', 0)`.execute(db);

  // Full-text search over titles and text; external content, kept in sync by triggers.
  await sql`CREATE VIRTUAL TABLE entries_fts USING fts5(
    title, content_text,
    content='entries', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, content_text) VALUES (new.id, new.title, new.content_text);
  END`.execute(db);
  await sql`CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, content_text)
      VALUES ('delete', old.id, old.title, old.content_text);
  END`.execute(db);
  await sql`CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, content_text ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, content_text)
      VALUES ('delete', old.id, old.title, old.content_text);
    INSERT INTO entries_fts (rowid, title, content_text) VALUES (new.id, new.title, new.content_text);
  END`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS entries_fts_update`.execute(db);
  await sql`DROP TRIGGER IF EXISTS entries_fts_delete`.execute(db);
  await sql`DROP TRIGGER IF EXISTS entries_fts_insert`.execute(db);
  await sql`DROP TABLE IF EXISTS entries_fts`.execute(db);
  await db.schema.dropTable('meta').ifExists().execute();
  await db.schema.dropTable('poll_runs').ifExists().execute();
  await db.schema.dropTable('entries').ifExists().execute();
  await db.schema.dropTable('sources').ifExists().execute();
}
