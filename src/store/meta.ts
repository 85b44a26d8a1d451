// The meta table's counters, and the cheapest question that tells whether the database answers.
import { sql } from 'kysely';
import type { Db } from './database.js';

/** A number that goes up whenever what the stream shows changes (entries or the source list). */
export async function readStreamVersion(db: Db): Promise<number> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'stream_version').executeTakeFirst();
  return row?.value ?? 0;
}

export async function bumpStreamVersion(db: Db): Promise<void> {
  await db
    .updateTable('meta')
    .set({ value: sql<number>`value + 1` })
    .where('key', '=', 'stream_version')
    .execute();
}

/** Resolves when the database answers a SELECT 1; rejects with its error otherwise (for /healthz). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
