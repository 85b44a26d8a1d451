import type { Db } from './database.js';
import type { PollRunRow } from './schema.js';

export interface PollRunTotals {
  sourcesDue: number;
  fetched: number;
  notModified: number;
  errors: number;
  entriesAdded: number;
  entriesUpdated: number;
}

/**
 * A pass's totals under their poll_runs column names: the row's own columns, and the names the
 * pass's log line and /status.json use, so operators meet one vocabulary.
 */
export function pollRunColumns(totals: PollRunTotals) {
  return {
    sources_due: totals.sourcesDue,
    fetched: totals.fetched,
    not_modified: totals.notModified,
    errors: totals.errors,
    entries_added: totals.entriesAdded,
    entries_updated: totals.entriesUpdated,
  };
}

export async function startPollRun(db: Db, trigger: string, now: number): Promise<number> {
  const row = await db.insertInto('poll_runs').values({ trigger, started_at: now }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function finishPollRun(db: Db, id: number, now: number, totals: PollRunTotals): Promise<void> {
  await db
    .updateTable('poll_runs')
    .set({ finished_at: now, ...pollRunColumns(totals) })
    .where('id', '=', id)
    .execute();
}

export function latestPollRun(db: Db): Promise<PollRunRow | undefined> {
  return db.selectFrom('poll_runs').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Every process's passes so far (the schedule's and `npm run poll`'s alike), summed by trigger. */
export interface PassTally {
  trigger: string;
  passes: number;
  entriesAdded: number;
  entriesUpdated: number;
}

export async function tallyPollRuns(db: Db): Promise<PassTally[]> {
  const rows = await db
    .selectFrom('poll_runs')
    .select((eb) => [
      'trigger',
      eb.fn.countAll<number>().as('passes'),
      eb.fn.sum<number>('entries_added').as('added'),
      eb.fn.sum<number>('entries_updated').as('updated'),
    ])
    .groupBy('trigger')
    .orderBy('trigger')
    .execute();
  return rows.map((r) => ({ trigger: r.trigger, passes: Number(r.passes), entriesAdded: Number(r.added ?? 0), entriesUpdated: Number(r.updated ?? 0) }));
}
