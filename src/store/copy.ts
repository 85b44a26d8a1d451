// Copying one store into another (a SQLite file into PostgreSQL, when a portal grows past one
// machine): every row of every table, ids kept, in one transaction on each side, so the target
// holds all of it or none of it and the source is read as one snapshot.
import { sql, type Transaction } from 'kysely';
import type { Db } from './database.js';
import { databaseKindOf } from './dialect.js';
import type { Database } from './schema.js';
import { indexPendingEntries } from './search-index.js';

/**
 * Parents before children; each with the key it is read in order of. feedback_posts is left out:
 * it only counts the last minutes' posts for the rate limit.
 */
const TABLES = [
  { name: 'sources', key: 'id' },
  { name: 'entries', key: 'id' },
  { name: 'poll_runs', key: 'id' },
  { name: 'meta', key: 'key' },
  { name: 'feedback_responses', key: 'id' },
  { name: 'secrets', key: 'name' },
  { name: 'source_icons', key: 'source_id' },
  { name: 'websub_subscriptions', key: 'token' },
] as const;

type TableName = (typeof TABLES)[number]['name'];

/** Rows read and written at a time: ~17 values each stays far below PostgreSQL's 65,535 parameters. */
const BATCH_ROWS = 500;

export interface CopyReport {
  /** Rows copied, per table, in the order copied. */
  copied: { table: TableName; rows: number }[];
  /** What the target held and lost (with `replace`); empty when it held nothing. */
  replaced: { table: TableName; rows: number }[];
  /** Text values that held U+0000, which PostgreSQL's text cannot: copied without it. */
  nulsDropped: number;
}

/** The target already holds data and `replace` was not given: nothing was written. */
export class TargetNotEmpty extends Error {
  constructor(readonly held: { table: TableName; rows: number }[]) {
    super(`the target already holds ${held.map((h) => `${h.rows} ${h.table}`).join(', ')}`);
    this.name = 'TargetNotEmpty';
  }
}

/**
 * Copies every row of `from` into `to` (both migrated to the same version). A target that
 * holds any source, entry or poll run is refused (TargetNotEmpty) unless `replace`, which empties
 * it first, in the same transaction: never a silent merge. Identity counters are moved past the
 * copied ids, and the stream version past both stores', so no page cached before is served again.
 */
export async function copyStore(from: Db, to: Db, options: { replace: boolean }): Promise<CopyReport> {
  const report = await from.transaction().execute((source) =>
    to.transaction().execute(async (target) => {
      // meta and secrets hold what any migrated or started portal makes for itself: not data.
      const held = (await countRows(target)).filter((count) => count.table !== 'meta' && count.table !== 'secrets' && count.rows > 0);
      if (held.length > 0 && !options.replace) throw new TargetNotEmpty(held);
      const targetVersion = await streamVersion(target);
      for (const { name } of [...TABLES].reverse()) await target.deleteFrom(name).execute();
      const result: CopyReport = { copied: [], replaced: held, nulsDropped: 0 };
      for (const table of TABLES) {
        const copied = await copyTable(source, target, table);
        result.copied.push({ table: table.name, rows: copied.rows });
        result.nulsDropped += copied.nulsDropped;
      }
      await target
        .updateTable('meta')
        .set({ value: Math.max(targetVersion, await streamVersion(target)) + 1 })
        .where('key', '=', 'stream_version')
        .execute();
      if (databaseKindOf(target) === 'postgres') await moveIdentitiesPastCopiedIds(target);
      return result;
    }),
  );
  // A SQLite target queued every copied entry for its full-text index.
  await indexPendingEntries(to);
  return report;
}

type Trx = Transaction<Database>;

async function countRows(trx: Trx): Promise<{ table: TableName; rows: number }[]> {
  const counts: { table: TableName; rows: number }[] = [];
  for (const { name } of TABLES) {
    const row = await trx.selectFrom(name).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts.push({ table: name, rows: Number(row.n) });
  }
  return counts;
}

async function streamVersion(trx: Trx): Promise<number> {
  const row = await trx.selectFrom('meta').select('value').where('key', '=', 'stream_version').executeTakeFirst();
  return Number(row?.value ?? 0);
}

/** Copies one table in key order, BATCH_ROWS at a time. */
async function copyTable(source: Trx, target: Trx, table: (typeof TABLES)[number]): Promise<{ rows: number; nulsDropped: number }> {
  let rows = 0;
  let nulsDropped = 0;
  let after: string | number | undefined;
  for (;;) {
    let query = source.selectFrom(table.name).selectAll().orderBy(table.key).limit(BATCH_ROWS);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the key column differs per table; its type is the key's
    if (after !== undefined) query = query.where(table.key as any, '>', after as never);
    const batch = (await query.execute()) as Record<string, unknown>[];
    if (batch.length === 0) return { rows, nulsDropped };
    const cleaned = batch.map((row) => {
      const { values, dropped } = withoutNul(row);
      nulsDropped += dropped;
      return values;
    });
    await target.insertInto(table.name).values(cleaned as never).execute();
    rows += batch.length;
    after = batch[batch.length - 1]?.[table.key] as string | number;
  }
}

function withoutNul(row: Record<string, unknown>): { values: Record<string, unknown>; dropped: number } {
  let dropped = 0;
  const values: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (typeof value === 'string' && value.includes('\u0000')) {
      dropped += 1;
      values[column] = value.replaceAll('\u0000', '');
    } else {
      values[column] = value;
    }
  }
  return { values, dropped };
}

/** PostgreSQL's identity columns count on from their own sequence, which copied rows did not move. */
async function moveIdentitiesPastCopiedIds(trx: Trx): Promise<void> {
  for (const table of ['entries', 'poll_runs', 'feedback_responses'] as const) {
    await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ${sql.table(table)}`.execute(trx);
  }
}
