import type { Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The database a migration runs on, as the store's migration provider passes it. */
type Dialect = 'sqlite' | 'postgres';

/**
 * WebSub subscriptions (W3C WebSub): one row per subscription the portal asked a hub for. The
 * token names the callback (/websub/TOKEN) and cannot be guessed; the secret signs the hub's
 * pushes. requested_mode is what the portal last asked (subscribe or unsubscribe): a hub's
 * verification of intent is answered only when it matches. state: pending (asked, not yet
 * verified), live, denied, unsubscribed. Times in milliseconds.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: Dialect = 'sqlite'): Promise<void> {
  const milliseconds = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('websub_subscriptions')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('hub', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('requested_mode', 'text', (c) => c.notNull().defaultTo('subscribe'))
    .addColumn('requested_at', milliseconds)
    .addColumn('verified_at', milliseconds)
    .addColumn('lease_seconds', 'integer')
    .addColumn('lease_until', milliseconds)
    .addColumn('last_error', 'text')
    .addColumn('created_at', milliseconds, (c) => c.notNull())
    .addColumn('updated_at', milliseconds, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('websub_subscriptions_source').on('websub_subscriptions').column('source_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('websub_subscriptions').execute();
}
