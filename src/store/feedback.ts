// The feedback form's storage: responses (kept for the retention period, then deleted), the posts
// each address made lately (a keyed hash, for the rate limit) and the hash's shared key. Nothing
// here is ever read by a public page: only the operator's export and a count on /status.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './database.js';
import { databaseKindOf } from './dialect.js';
import type { FeedbackRow } from './schema.js';

/** A response as the form validated it. */
export interface FeedbackResponse {
  usefulness: number;
  cameFor: string;
  cameForOther: string | null;
  found: string;
  comment: string;
  email: string | null;
}

export interface StoredFeedback extends FeedbackResponse {
  id: number;
  receivedAt: number;
}

/** Stores one response; responses older than `keepSince` go in the same breath. */
export async function saveFeedback(db: Db, response: FeedbackResponse, at: { now: number; keepSince: number }): Promise<void> {
  await db
    .insertInto('feedback_responses')
    .values({
      received_at: at.now,
      usefulness: response.usefulness,
      came_for: response.cameFor,
      came_for_other: response.cameForOther,
      found: response.found,
      comment: response.comment,
      email: response.email,
    })
    .execute();
  await deleteFeedbackBefore(db, at.keepSince);
}

/** Deletes the responses received before `keepSince` (the retention setting); returns how many. */
export async function deleteFeedbackBefore(db: Db, keepSince: number): Promise<number> {
  const result = await db.deleteFrom('feedback_responses').where('received_at', '<', keepSince).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The responses received since `since` (ms), oldest first. */
export async function listFeedback(db: Db, since = 0): Promise<StoredFeedback[]> {
  const rows = await db.selectFrom('feedback_responses').selectAll().where('received_at', '>=', since).orderBy('received_at').orderBy('id').execute();
  return rows.map(toStoredFeedback);
}

/** How many responses are stored (for /status: a count, never their text). */
export async function countFeedback(db: Db): Promise<number> {
  const row = await db.selectFrom('feedback_responses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function toStoredFeedback(row: FeedbackRow): StoredFeedback {
  return {
    id: row.id,
    receivedAt: row.received_at,
    usefulness: row.usefulness,
    cameFor: row.came_for,
    cameForOther: row.came_for_other,
    found: row.found,
    comment: row.comment,
    email: row.email,
  };
}

export interface PostLimit {
  /** The keyed hash of the poster's address. */
  addressHash: string;
  now: number;
  /** Posts allowed per window. */
  limit: number;
  windowMs: number;
}

export type PostAdmission = { admitted: true } | { admitted: false; retryAfterMs: number };

/**
 * Counts a post against its address, in the database so every web process sees the same count.
 * One address's posts are counted one at a time: PostgreSQL by a transaction lock on the
 * address's hash, SQLite because its first statement (a delete) takes the one write lock. A
 * refused post is not counted, so waiting as Retry-After says is enough. Posts older than the
 * window are forgotten.
 */
export async function admitFeedbackPost(db: Db, post: PostLimit): Promise<PostAdmission> {
  const windowStart = post.now - post.windowMs;
  return db.transaction().execute(async (trx) => {
    if (databaseKindOf(trx) === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtextextended(${post.addressHash}, 0))`.execute(trx);
    await trx.deleteFrom('feedback_posts').where('posted_at', '<=', windowStart).execute();
    const recent = await trx
      .selectFrom('feedback_posts')
      .select('posted_at')
      .where('address_hash', '=', post.addressHash)
      .orderBy('posted_at', 'desc')
      .limit(post.limit)
      .execute();
    if (recent.length < post.limit) {
      await trx.insertInto('feedback_posts').values({ address_hash: post.addressHash, posted_at: post.now }).execute();
      return { admitted: true };
    }
    // Admitted again once the limit-th newest post has left the window.
    const freesAt = (recent[post.limit - 1]?.posted_at ?? post.now) + post.windowMs;
    return { admitted: false, retryAfterMs: Math.max(1000, freesAt - post.now) };
  });
}

/** The secret named `name`, made (32 random bytes, hex) by whichever process asks first. */
export async function sharedSecret(db: Db, name: string): Promise<string> {
  await db
    .insertInto('secrets')
    .values({ name, value: randomBytes(32).toString('hex') })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
