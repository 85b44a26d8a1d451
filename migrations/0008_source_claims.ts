import type { Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

/**
 * Leases, so several processes sharing one database never fetch a source at once: the process
 * that holds a source (claimed_by) and until when (claimed_until, ms; past it the claim has
 * lapsed and the source is free), and the process that polled it last (last_polled_by).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  const milliseconds = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('sources').addColumn('claimed_by', 'text').execute();
  await db.schema.alterTable('sources').addColumn('claimed_until', milliseconds).execute();
  await db.schema.alterTable('sources').addColumn('last_polled_by', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('last_polled_by').execute();
  await db.schema.alterTable('sources').dropColumn('claimed_until').execute();
  await db.schema.alterTable('sources').dropColumn('claimed_by').execute();
}
