import { sql } from 'kysely';
import type { FeedMeta, SourceConfig, SourceErrorKind } from '../core/types.js';
import type { Db } from './database.js';
import { bumpStreamVersion } from './meta.js';
import type { SourceRow } from './schema.js';

/**
 * Makes the sources table agree with the feeds file: every configured source is upserted and active,
 * every other one inactive (its entries stay, out of the stream). A changed feed URL resets the
 * fetch state: validators, backoff, error count and a 410's stop.
 */
export async function syncSources(db: Db, sources: readonly SourceConfig[], now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const existing = new Map((await trx.selectFrom('sources').select(['id', 'feed_url']).execute()).map((r) => [r.id, r.feed_url]));
    for (const [position, source] of sources.entries()) {
      const fields = {
        title: source.title,
        site_url: source.site,
        feed_url: source.feed ?? null,
        description: source.description,
        category: source.category,
        position,
        active: 1,
      };
      if (!existing.has(source.id)) {
        // Another process starting on the same database may have just added it: then it stays as that one wrote it.
        await trx
          .insertInto('sources')
          .values({ id: source.id, ...fields, created_at: now })
          .onConflict((conflict) => conflict.column('id').doNothing())
          .execute();
        continue;
      }
      const urlChanged = existing.get(source.id) !== fields.feed_url;
      await trx
        .updateTable('sources')
        .set(urlChanged ? { ...fields, ...FRESH_FETCH_STATE } : fields)
        .where('id', '=', source.id)
        .execute();
    }
    const ids = sources.map((s) => s.id);
    let deactivate = trx.updateTable('sources').set({ active: 0 });
    if (ids.length > 0) deactivate = deactivate.where('id', 'not in', ids);
    await deactivate.execute();
    await bumpStreamVersion(trx);
  });
}

const FRESH_FETCH_STATE = {
  etag: null,
  last_modified: null,
  error_count: 0,
  backoff_until: null,
  next_poll_at: null,
  retry_after_until: null,
  gone: 0,
  moved_to: null,
  last_error: null,
  last_error_kind: null,
  last_status: null,
} as const;

/** Active sources in the feeds file's order, link-only ones included. */
export function listActiveSources(db: Db): Promise<SourceRow[]> {
  return db.selectFrom('sources').selectAll().where('active', '=', 1).orderBy('position').execute();
}

export function getSource(db: Db, id: string): Promise<SourceRow | undefined> {
  return db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface DueOptions {
  /** An operator's poll: the portal's own schedule (backoff, poll_minutes) holds no source back. */
  ignoreSchedule?: boolean;
  /** An operator's forced poll: nor does what a server asked for (a Retry-After pause, a 410 Gone). */
  ignoreServerPause?: boolean;
  /**
   * The due time a scheduled pass serves (its cron tick): a source attempted at or after it was
   * polled for that due time already, by this process or another, and is left out.
   */
  dueAt?: number;
}

/**
 * Active sources with a feed, not stopped by a 410 nor paused by their server's Retry-After, whose
 * backoff and poll interval have passed; `options` lift those conditions for an operator's poll.
 */
export function listDueSources(db: Db, now: number, options: DueOptions = {}): Promise<SourceRow[]> {
  let query = db.selectFrom('sources').selectAll().where('active', '=', 1).where('feed_url', 'is not', null);
  if (!options.ignoreServerPause) {
    query = query
      .where('gone', '=', 0)
      .where((eb) => eb.or([eb('retry_after_until', 'is', null), eb('retry_after_until', '<=', now)]));
  }
  if (!options.ignoreSchedule) {
    query = query.where((eb) => eb.or([eb('next_poll_at', 'is', null), eb('next_poll_at', '<=', now)]));
  }
  if (options.dueAt !== undefined) {
    const dueAt = options.dueAt;
    query = query.where((eb) => eb.or([eb('last_attempt_at', 'is', null), eb('last_attempt_at', '<', dueAt)]));
  }
  return query.orderBy('position').execute();
}

/** Active sources stopped by a 410 Gone: not polled until the operator changes their feed URL. */
export function listGoneSources(db: Db): Promise<SourceRow[]> {
  return db.selectFrom('sources').selectAll().where('active', '=', 1).where('gone', '=', 1).orderBy('position').execute();
}

/** Active sources (not gone) whose server's Retry-After pause lasts past `now`. */
export function listPausedSources(db: Db, now: number): Promise<SourceRow[]> {
  return db
    .selectFrom('sources')
    .selectAll()
    .where('active', '=', 1)
    .where('feed_url', 'is not', null)
    .where('gone', '=', 0)
    .where('retry_after_until', '>', now)
    .orderBy('position')
    .execute();
}

export interface AttemptCommon {
  now: number;
  durationMs: number;
  /** Earliest next fetch: the poll interval on success, the backoff on failure. */
  nextPollAt: number | null;
  movedTo?: string;
  /** The process that fetched: recorded as last_polled_by, and its claim on the source released. */
  owner?: string;
}

export interface SuccessState extends AttemptCommon {
  status: number;
  etag?: string;
  lastModified?: string;
  feed?: FeedMeta;
}

/**
 * The source answered (200 or 304): errors, a server's pause and a 410's stop (a forced poll may
 * reach a gone source) cleared, validators kept. Run inside the entries' transaction.
 */
export async function recordSuccess(db: Db, sourceId: string, state: SuccessState): Promise<void> {
  await db
    .updateTable('sources')
    .set({
      last_attempt_at: state.now,
      last_success_at: state.now,
      last_status: state.status,
      last_error: null,
      last_error_kind: null,
      last_duration_ms: state.durationMs,
      error_count: 0,
      backoff_until: null,
      next_poll_at: state.nextPollAt,
      retry_after_until: null,
      gone: 0,
      moved_to: state.movedTo ?? null,
      ...(state.etag !== undefined || state.lastModified !== undefined
        ? { etag: state.etag ?? null, last_modified: state.lastModified ?? null }
        : {}),
      ...(state.feed
        ? {
            feed_title: state.feed.title ?? null,
            feed_link: state.feed.link ?? null,
            feed_icon: state.feed.icon ?? null,
            feed_atom_id: state.feed.id ?? null,
          }
        : {}),
      ...pollerColumns(state.owner),
    })
    .where('id', '=', sourceId)
    .execute();
}

export interface FailureState extends AttemptCommon {
  status?: number;
  error: string;
  errorKind: SourceErrorKind;
  /** A 410: stop polling until the operator changes the URL. */
  gone?: boolean;
  /** Until when the server asked for a pause (Retry-After on 429/503); none when it asked for none. */
  retryAfterUntil?: number;
}

/** The fetch or parse failed: the error is written to the source's row, never thrown further. */
export async function recordFailure(db: Db, sourceId: string, state: FailureState): Promise<void> {
  await db
    .updateTable('sources')
    .set((eb) => ({
      last_attempt_at: state.now,
      last_status: state.status ?? null,
      last_error: state.error,
      last_error_kind: state.errorKind,
      last_duration_ms: state.durationMs,
      error_count: eb('error_count', '+', 1),
      backoff_until: state.nextPollAt,
      next_poll_at: state.nextPollAt,
      retry_after_until: state.retryAfterUntil ?? null,
      gone: state.gone ? 1 : 0,
      moved_to: state.movedTo ?? null,
      ...pollerColumns(state.owner),
    }))
    .where('id', '=', sourceId)
    .execute();
}

/** Who polled, and the end of its claim (a claim another process holds stays as it is). */
function pollerColumns(owner: string | undefined) {
  if (owner === undefined) return {};
  return {
    last_polled_by: owner,
    claimed_by: sql<string | null>`CASE WHEN claimed_by = ${owner} THEN NULL ELSE claimed_by END`,
    claimed_until: sql<number | null>`CASE WHEN claimed_by = ${owner} THEN NULL ELSE claimed_until END`,
  };
}

/** Each active source with a feed: its consecutive errors and last success, for monitoring. */
export function listSourceHealth(db: Db): Promise<Pick<SourceRow, 'id' | 'error_count' | 'last_success_at'>[]> {
  return db
    .selectFrom('sources')
    .select(['id', 'error_count', 'last_success_at'])
    .where('active', '=', 1)
    .where('feed_url', 'is not', null)
    .orderBy('position')
    .execute();
}

/** Entries stored for the active sources (what the stream can show). */
export async function countStoredEntries(db: Db): Promise<number> {
  const row = await db
    .selectFrom('sources')
    .select((eb) => eb.fn.sum<number>('entry_count').as('n'))
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
