// WebSub subscriptions: what the portal asked hubs for, so it answers only the verifications and
// pushes it expects (by the callback's random token), renews leases and unsubscribes removed sources.
import type { Db } from './database.js';
import type { WebSubSubscriptionRow } from './schema.js';

export type WebSubState = 'pending' | 'live' | 'denied' | 'unsubscribed';
export type WebSubMode = 'subscribe' | 'unsubscribe';

export interface NewSubscription {
  token: string;
  sourceId: string;
  hub: string;
  topic: string;
  secret: string;
}

export function findSubscription(db: Db, token: string): Promise<WebSubSubscriptionRow | undefined> {
  return db.selectFrom('websub_subscriptions').selectAll().where('token', '=', token).executeTakeFirst();
}

/** The source's subscription in force (asked for, live or denied), newest first; none once unsubscribed. */
export function currentSubscription(db: Db, sourceId: string): Promise<WebSubSubscriptionRow | undefined> {
  return db
    .selectFrom('websub_subscriptions')
    .selectAll()
    .where('source_id', '=', sourceId)
    .where('requested_mode', '=', 'subscribe')
    .where('state', '!=', 'unsubscribed')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export async function createSubscription(db: Db, subscription: NewSubscription, now: number): Promise<WebSubSubscriptionRow> {
  const row = {
    token: subscription.token,
    source_id: subscription.sourceId,
    hub: subscription.hub,
    topic: subscription.topic,
    secret: subscription.secret,
    state: 'pending',
    requested_mode: 'subscribe',
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('websub_subscriptions').values(row).execute();
  return (await findSubscription(db, subscription.token))!;
}

/** Written before the request leaves: a hub may verify before it even answers the request. */
export async function markRequested(db: Db, token: string, mode: WebSubMode, now: number): Promise<void> {
  await db
    .updateTable('websub_subscriptions')
    .set({ requested_mode: mode, requested_at: now, updated_at: now, last_error: null })
    .where('token', '=', token)
    .execute();
}

/** The hub refused the request itself (not 2xx, unreachable): kept for /status and the next try. */
export async function markRequestFailed(db: Db, token: string, error: string, now: number): Promise<void> {
  await db.updateTable('websub_subscriptions').set({ last_error: error, updated_at: now }).where('token', '=', token).execute();
}

/** The hub verified our intent: a subscription is live until its lease ends; an unsubscription is done. */
export async function markVerified(db: Db, token: string, mode: WebSubMode, leaseSeconds: number | undefined, now: number): Promise<void> {
  const state: WebSubState = mode === 'subscribe' ? 'live' : 'unsubscribed';
  const lease =
    mode === 'subscribe' && leaseSeconds !== undefined
      ? { lease_seconds: leaseSeconds, lease_until: now + leaseSeconds * 1000 }
      : {};
  await db
    .updateTable('websub_subscriptions')
    .set({ state, verified_at: now, updated_at: now, last_error: null, ...lease })
    .where('token', '=', token)
    .execute();
}

export async function markDenied(db: Db, token: string, reason: string, now: number): Promise<void> {
  await db
    .updateTable('websub_subscriptions')
    .set({ state: 'denied', last_error: reason.slice(0, 500), updated_at: now })
    .where('token', '=', token)
    .execute();
}

/** Given up without the hub's word (a replaced hub that does not answer): pushes to it are refused from now on. */
export async function markUnsubscribed(db: Db, token: string, now: number): Promise<void> {
  await db.updateTable('websub_subscriptions').set({ state: 'unsubscribed', updated_at: now }).where('token', '=', token).execute();
}

/** Live subscriptions whose lease ends before `before`: to renew. */
export function listLeasesEndingBefore(db: Db, before: number): Promise<WebSubSubscriptionRow[]> {
  return db
    .selectFrom('websub_subscriptions')
    .selectAll()
    .where('state', '=', 'live')
    .where('requested_mode', '=', 'subscribe')
    .where('lease_until', '<', before)
    .execute();
}

/** Subscriptions asked for but not verified, last asked before `before` (or never): to ask again. */
export function listUnverifiedSince(db: Db, before: number): Promise<WebSubSubscriptionRow[]> {
  return db
    .selectFrom('websub_subscriptions')
    .selectAll()
    .where('state', '=', 'pending')
    .where('requested_mode', '=', 'subscribe')
    .where((eb) => eb.or([eb('requested_at', 'is', null), eb('requested_at', '<', before)]))
    .execute();
}

/** Subscriptions of sources no longer in the feeds file that are not yet unsubscribed. */
export function listSubscriptionsOfRemovedSources(db: Db): Promise<WebSubSubscriptionRow[]> {
  return db
    .selectFrom('websub_subscriptions')
    .innerJoin('sources', 'sources.id', 'websub_subscriptions.source_id')
    .selectAll('websub_subscriptions')
    .where('sources.active', '=', 0)
    .where('websub_subscriptions.state', '!=', 'unsubscribed')
    .where('websub_subscriptions.requested_mode', '=', 'subscribe')
    .execute();
}

export interface SubscriptionSummary {
  sourceId: string;
  state: WebSubState;
  hub: string;
  leaseUntil: number | null;
}

/** Each source's subscription in force, for /status. */
export async function listSubscriptionSummaries(db: Db): Promise<Map<string, SubscriptionSummary>> {
  const rows = await db
    .selectFrom('websub_subscriptions')
    .select(['source_id', 'state', 'hub', 'lease_until', 'created_at'])
    .where('requested_mode', '=', 'subscribe')
    .where('state', '!=', 'unsubscribed')
    .orderBy('created_at', 'asc')
    .execute();
  // Oldest first, so the newest of a source wins.
  return new Map(rows.map((r) => [r.source_id, { sourceId: r.source_id, state: r.state as WebSubState, hub: r.hub, leaseUntil: r.lease_until }]));
}

/** Whether the source has a live subscription whose lease lasts past `now`. */
export async function hasLiveSubscription(db: Db, sourceId: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('websub_subscriptions')
    .select('token')
    .where('source_id', '=', sourceId)
    .where('state', '=', 'live')
    .where('requested_mode', '=', 'subscribe')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '>', now)]))
    .executeTakeFirst();
  return row !== undefined;
}

/** Polls a pushed source less often: its next poll no sooner than `until`. */
export async function deferNextPoll(db: Db, sourceId: string, until: number): Promise<void> {
  await db
    .updateTable('sources')
    .set({ next_poll_at: until })
    .where('id', '=', sourceId)
    .where((eb) => eb.or([eb('next_poll_at', 'is', null), eb('next_poll_at', '<', until)]))
    .execute();
}
