// Leases on sources, so processes sharing one database never fetch a source at once. A claim
// names its owner and lapses at claimed_until: a process that died holds nothing for long.
// PostgreSQL: the candidates are locked with FOR UPDATE SKIP LOCKED, so claimers running at once
// each take other rows instead of queueing behind one another (pg-boss and graphile-worker's
// idiom). SQLite: the same UPDATE without it; one statement is one write transaction, and
// SQLite lets one writer at a time.
import type { ExpressionBuilder } from 'kysely';
import type { Db } from './database.js';
import { databaseKindOf } from './dialect.js';
import type { Database, SourceRow } from './schema.js';

export interface ClaimTerms {
  /** Who claims: unique per process (host, pid, start time...). */
  owner: string;
  now: number;
  /** How long the claim holds unless released or renewed. */
  leaseMs: number;
}

/**
 * Claims up to `limit` due sources (as listDueSources means due) that no process holds, and
 * returns them, in the feeds file's order. A claim past its claimed_until is free. One the owner
 * holds already is not handed out again: it is still being fetched.
 */
export async function claimDueSources(db: Db, terms: ClaimTerms & { limit: number }): Promise<SourceRow[]> {
  let candidates = db
    .selectFrom('sources')
    .select('id')
    .where('active', '=', 1)
    .where('feed_url', 'is not', null)
    .where('gone', '=', 0)
    .where((eb) => eb.or([eb('next_poll_at', 'is', null), eb('next_poll_at', '<=', terms.now)]))
    .where((eb) => claimable(eb, terms))
    .orderBy('position')
    .limit(terms.limit);
  if (databaseKindOf(db) === 'postgres') candidates = candidates.forUpdate().skipLocked();
  const claimed = await db
    .updateTable('sources')
    .set(claimColumns(terms))
    .where('id', 'in', candidates)
    .returningAll()
    .execute();
  return claimed.sort((a, b) => a.position - b.position);
}

export interface SourceClaimTerms extends ClaimTerms {
  /**
   * The source's last_attempt_at when the caller listed it: the claim fails if any process has
   * attempted the source since, so a pass working from a list read earlier never fetches a source
   * again that another process has just fetched. Absent: whatever its last attempt.
   */
  lastAttemptAt?: number | null;
}

/**
 * Claims one source whatever its schedule (an operator's `npm run poll`, a pass's next source),
 * unless another process holds it (or, with `lastAttemptAt`, any fetched it since). One
 * conditional UPDATE, so of processes claiming at once exactly one wins, on either database. A
 * claim this owner still holds is its own to take again: one left when the database went away
 * before it could be released (a process never fetches a source twice at once: see Refresher).
 * True when this owner holds it now.
 */
export async function claimSource(db: Db, sourceId: string, terms: SourceClaimTerms): Promise<boolean> {
  let query = db
    .updateTable('sources')
    .set(claimColumns(terms))
    .where('id', '=', sourceId)
    .where((eb) => eb.or([claimable(eb, terms), eb('claimed_by', '=', terms.owner)]));
  if (terms.lastAttemptAt !== undefined) {
    query = terms.lastAttemptAt === null ? query.where('last_attempt_at', 'is', null) : query.where('last_attempt_at', '=', terms.lastAttemptAt);
  }
  const claimed = await query.returning('id').executeTakeFirst();
  return claimed !== undefined;
}

/**
 * Extends a claim this owner still holds to `now + leaseMs` (a fetch running long); false when it
 * holds it no more (it lapsed and another process took the source).
 */
export async function renewClaim(db: Db, sourceId: string, terms: ClaimTerms): Promise<boolean> {
  const renewed = await db
    .updateTable('sources')
    .set({ claimed_until: terms.now + terms.leaseMs })
    .where('id', '=', sourceId)
    .where('claimed_by', '=', terms.owner)
    .returning('id')
    .executeTakeFirst();
  return renewed !== undefined;
}

/** Gives the source up, if this owner holds it (recordSuccess and recordFailure do it too). */
export async function releaseClaim(db: Db, sourceId: string, owner: string): Promise<void> {
  await db
    .updateTable('sources')
    .set({ claimed_by: null, claimed_until: null })
    .where('id', '=', sourceId)
    .where('claimed_by', '=', owner)
    .execute();
}

function claimColumns(terms: ClaimTerms) {
  return { claimed_by: terms.owner, claimed_until: terms.now + terms.leaseMs };
}

/** Held by no process: never claimed, released, or lapsed. */
function claimable(eb: ExpressionBuilder<Database, 'sources'>, terms: Pick<ClaimTerms, 'now'>) {
  return eb.or([eb('claimed_by', 'is', null), eb('claimed_until', '<', terms.now)]);
}

/** The owners of claims not yet lapsed at `now`. */
export async function listClaimOwners(db: Db, now: number): Promise<string[]> {
  const rows = await db.selectFrom('sources').select('claimed_by').distinct().where('claimed_by', 'is not', null).where('claimed_until', '>=', now).execute();
  return rows.flatMap((row) => (row.claimed_by === null ? [] : [row.claimed_by]));
}

/** Frees every claim `owner` holds (a process known to be dead). Returns how many. */
export async function releaseClaimsOf(db: Db, owner: string): Promise<number> {
  const result = await db.updateTable('sources').set({ claimed_by: null, claimed_until: null }).where('claimed_by', '=', owner).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
