import type { Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/**
 * Why a source's last attempt failed, as a short machine word ('timeout', 'http', 'parse', ...)
 * the public status pages can show instead of the full message in last_error. Failures recorded
 * before it have none: the pages say only that the source failed until its next attempt.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sources').addColumn('last_error_kind', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('last_error_kind').execute();
}
