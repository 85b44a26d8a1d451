import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  if (dialect === 'postgres') return upPostgres(db);
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

/**
 * The same tables on PostgreSQL: times as BIGINT milliseconds, identity ids, the same names and
 * nullability. Full-text search is a tsvector column PostgreSQL computes itself (titles weigh A,
 * the text B) under a GIN index: no triggers, no batches. Its text search configuration is
 * English stemming like FTS5's porter, without stop words (FTS5 drops none either).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upPostgres(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE sources (
    id text PRIMARY KEY,
    title text NOT NULL,
    site_url text NOT NULL,
    feed_url text,
    description text NOT NULL DEFAULT '',
    category text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0,
    active integer NOT NULL DEFAULT 1,
    feed_title text,
    feed_link text,
    feed_icon text,
    etag text,
    last_modified text,
    last_attempt_at bigint,
    last_success_at bigint,
    last_status integer,
    last_error text,
    last_duration_ms bigint,
    error_count integer NOT NULL DEFAULT 0,
    backoff_until bigint,
    next_poll_at bigint,
    gone integer NOT NULL DEFAULT 0,
    moved_to text,
    entry_count integer NOT NULL DEFAULT 0,
    newest_entry_at bigint,
    created_at bigint NOT NULL
  )`.execute(db);

  // PostgreSQL's parser keeps tags, entities, URLs, e-mail addresses and paths whole ('<script>',
  // 'example.org/x') or skips them; FTS5 splits text at every punctuation mark. With these six
  // characters read as spaces, the words are the ones FTS5 finds.
  await sql`CREATE TEXT SEARCH DICTIONARY portal_english_stem (TEMPLATE = snowball, LANGUAGE = english)`.execute(db);
  await sql`CREATE TEXT SEARCH CONFIGURATION portal_search (COPY = english)`.execute(db);
  await sql`ALTER TEXT SEARCH CONFIGURATION portal_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH portal_english_stem`.execute(db);

  await sql`CREATE TABLE entries (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    source_id text NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    entry_id text NOT NULL,
    title text NOT NULL,
    link text NOT NULL,
    author text,
    published_at bigint NOT NULL,
    updated_at bigint,
    first_seen_at bigint NOT NULL,
    changed_at bigint NOT NULL,
    categories text NOT NULL DEFAULT '[]',
    enclosures text NOT NULL DEFAULT '[]',
    content_html text NOT NULL,
    content_text text NOT NULL,
    excerpt text NOT NULL,
    content_hash text NOT NULL,
    search_document tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('portal_search', translate(title, '<&/.@:', '      ')), 'A')
      || setweight(to_tsvector('portal_search', translate(content_text, '<&/.@:', '      ')), 'B')
    ) STORED,
    CONSTRAINT entries_source_entry_unique UNIQUE (source_id, entry_id)
  )`.execute(db);
  await sql`CREATE INDEX entries_newest ON entries (published_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX entries_source_newest ON entries (source_id, published_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX entries_search ON entries USING gin (search_document)`.execute(db);

  await sql`CREATE TABLE poll_runs (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    trigger text NOT NULL,
    started_at bigint NOT NULL,
    finished_at bigint,
    sources_due integer NOT NULL DEFAULT 0,
    fetched integer NOT NULL DEFAULT 0,
    not_modified integer NOT NULL DEFAULT 0,
    errors integer NOT NULL DEFAULT 0,
    entries_added integer NOT NULL DEFAULT 0,
    entries_updated integer NOT NULL DEFAULT 0
  )`.execute(db);

  await sql`CREATE TABLE meta (key text PRIMARY KEY, value bigint NOT NULL)`.execute(db);
  await sql`INSERT INTO meta (key, value) VALUES ('stream_version', 0)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  if (dialect === 'postgres') {
    for (const table of ['meta', 'poll_runs', 'entries', 'sources']) await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
    await sql`DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_search`.execute(db);
    await sql`DROP TEXT SEARCH DICTIONARY IF EXISTS portal_english_stem`.execute(db);
    return;
  }
  await sql`DROP TRIGGER IF EXISTS entries_fts_update`.execute(db);
  await sql`DROP TRIGGER IF EXISTS entries_fts_delete`.execute(db);
  await sql`DROP TRIGGER IF EXISTS entries_fts_insert`.execute(db);
  await sql`DROP TABLE IF EXISTS entries_fts`.execute(db);
  await db.schema.dropTable('meta').ifExists().execute();
  await db.schema.dropTable('poll_runs').ifExists().execute();
  await db.schema.dropTable('entries').ifExists().execute();
  await db.schema.dropTable('sources').ifExists().execute();
}
