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
