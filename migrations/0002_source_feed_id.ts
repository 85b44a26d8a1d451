import type { Kysely } from 'kysely';

// Frozen in time: this migration never imports application code.

/** The source feed's own global id (Atom <id>), so re-exported entries name their origin by it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sources').addColumn('feed_atom_id', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('feed_atom_id').execute();
}
