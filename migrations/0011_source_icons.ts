import type { Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

/**
 * Each source's icon, kept so the pages serve it from the portal's own address. One row per source
 * once its icon was first looked for: found_from is where the search began (the feed's icon, else
 * the site), so a change there makes it due again; checked_at (ms) is the last look, made at most
 * once a day. The image columns (url it came from, media_type, bytes, hash, its validators and
 * fetched_at) stay null until an image passed the checks; a later failure leaves them as they are.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  const milliseconds = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('source_icons')
    .addColumn('source_id', 'text', (col) => col.primaryKey().references('sources.id').onDelete('cascade'))
    .addColumn('found_from', 'text', (col) => col.notNull())
    .addColumn('checked_at', milliseconds, (col) => col.notNull())
    .addColumn('url', 'text')
    .addColumn('media_type', 'text')
    .addColumn('bytes', dialect === 'postgres' ? 'bytea' : 'blob')
    .addColumn('hash', 'text')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('fetched_at', milliseconds)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('source_icons').execute();
}
