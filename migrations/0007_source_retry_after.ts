import type { Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

/**
 * Until when the source's server asked to be left alone (Retry-After on a 429 or 503), kept apart
 * from backoff_until and next_poll_at, which mix it with the portal's own backoff: an operator's
 * poll may override the portal's backoff, but not what the server asked for. Null when it asked
 * for nothing; sources that failed before this migration have none.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  await db.schema.alterTable('sources').addColumn('retry_after_until', dialect === 'postgres' ? 'bigint' : 'integer').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('retry_after_until').execute();
}
