import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, freshSharedStores, freshStore, makeSource } from '../../test/helpers/store.js';
import {
  claimDueSources,
  claimSource,
  getSource,
  listDueSources,
  recordFailure,
  recordSuccess,
  releaseClaim,
  renewClaim,
  syncSources,
  type OpenedStore,
} from './index.js';

const t0 = Date.UTC(2026, 0, 1);
const LEASE = 60_000;
const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

describeEachDatabase('claims on sources', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
    await syncSources(store.db, ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => makeSource(id)), t0);
  });
  afterEach(async () => {
    await store.close();
  });

  const terms = (owner: string, now = t0, limit = 10) => ({ owner, now, leaseMs: LEASE, limit });

  it('gives each due source to one owner: a second owner gets only the others, in the feeds file order', async () => {
    expect(ids(await claimDueSources(store.db, terms('web-1', t0, 4)))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(await claimDueSources(store.db, terms('worker-2')))).toEqual(['e', 'f']);
    expect(await claimDueSources(store.db, terms('worker-3'))).toEqual([]);
    const row = await getSource(store.db, 'a');
    expect([row?.claimed_by, row?.claimed_until]).toEqual(['web-1', t0 + LEASE]);
  });

  it('claims only what is due: not a source polled recently, stopped by a 410, without a feed or out of the file', async () => {
    await syncSources(store.db, [...['a', 'b', 'c', 'd'].map((id) => makeSource(id)), makeSource('link', { feed: undefined })], t0);
    await recordSuccess(store.db, 'a', { now: t0, durationMs: 1, status: 200, nextPollAt: t0 + 1000 });
    await recordFailure(store.db, 'b', { now: t0, durationMs: 1, status: 410, error: 'gone', errorKind: 'gone', gone: true, nextPollAt: null });
    expect(ids(await claimDueSources(store.db, terms('w', t0 + 999)))).toEqual(['c', 'd']);
    expect(ids(await claimDueSources(store.db, terms('v', t0 + 1000)))).toEqual(['a']);
  });

  it('lets a lapsed claim be taken over, and never hands out one its owner still holds', async () => {
    await claimDueSources(store.db, terms('dead', t0, 1));
    expect(ids(await claimDueSources(store.db, terms('alive', t0 + LEASE, 1)))).toEqual(['b']);
    expect(ids(await claimDueSources(store.db, terms('alive', t0 + LEASE + 1, 2)))).toEqual(['a', 'c']);
    expect((await getSource(store.db, 'a'))?.claimed_until).toBe(t0 + 2 * LEASE + 1);
  });

  it('frees a released claim; another owner cannot release it', async () => {
    await claimDueSources(store.db, terms('one', t0, 1));
    await releaseClaim(store.db, 'a', 'other');
    expect(await claimSource(store.db, 'a', terms('other'))).toBe(false);
    await releaseClaim(store.db, 'a', 'one');
    expect(await claimSource(store.db, 'a', terms('other'))).toBe(true);
  });

  it('claims one source whatever its schedule (npm run poll), unless another owner holds it', async () => {
    await recordSuccess(store.db, 'a', { now: t0, durationMs: 1, status: 200, nextPollAt: t0 + 10 * LEASE });
    expect(await claimSource(store.db, 'a', terms('poll'))).toBe(true);
    expect(await claimSource(store.db, 'a', terms('worker', t0 + LEASE - 1))).toBe(false);
    expect(await claimSource(store.db, 'a', terms('worker', t0 + LEASE + 1))).toBe(true);
    expect(await claimSource(store.db, 'nonexistent', terms('poll'))).toBe(false);
    // Its own claim, left unreleased (the database went away mid-fetch), a process takes again.
    expect(await claimSource(store.db, 'a', terms('worker', t0 + LEASE + 2))).toBe(true);
  });

  it('refuses a claim on a source attempted since the caller listed it, so a stale list never fetches it twice', async () => {
    const listed = await getSource(store.db, 'a');
    expect(listed?.last_attempt_at).toBeNull();
    // Another process fetches it after this one listed it.
    expect(await claimSource(store.db, 'a', { ...terms('other'), lastAttemptAt: null })).toBe(true);
    await recordSuccess(store.db, 'a', { now: t0 + 10, durationMs: 1, status: 200, nextPollAt: null, owner: 'other' });
    expect(await claimSource(store.db, 'a', { ...terms('late', t0 + 20), lastAttemptAt: listed?.last_attempt_at ?? null })).toBe(false);
    // A list read after that attempt claims it.
    expect(await claimSource(store.db, 'a', { ...terms('late', t0 + 20), lastAttemptAt: t0 + 10 })).toBe(true);
  });

  it('renews a claim only for the owner that holds it, so a long fetch keeps its source and a lapsed one is not taken back', async () => {
    expect(await claimSource(store.db, 'a', terms('slow'))).toBe(true);
    expect(await renewClaim(store.db, 'a', { owner: 'slow', now: t0 + LEASE - 1, leaseMs: LEASE })).toBe(true);
    expect(await claimSource(store.db, 'a', terms('other', t0 + LEASE + 1))).toBe(false);
    expect(await claimSource(store.db, 'a', terms('other', t0 + 2 * LEASE))).toBe(true);
    expect(await renewClaim(store.db, 'a', { owner: 'slow', now: t0 + 2 * LEASE, leaseMs: LEASE })).toBe(false);
    expect((await getSource(store.db, 'a'))?.claimed_by).toBe('other');
  });

  it('lists for a due time only the sources no process attempted since it', async () => {
    await recordSuccess(store.db, 'a', { now: t0 - 1, durationMs: 1, status: 200, nextPollAt: null });
    await recordSuccess(store.db, 'b', { now: t0, durationMs: 1, status: 200, nextPollAt: null });
    await recordFailure(store.db, 'c', { now: t0 + 5, durationMs: 1, error: 'HTTP 500', errorKind: 'http', nextPollAt: null });
    expect(ids(await listDueSources(store.db, t0 + 10, { dueAt: t0 }))).toEqual(['a', 'd', 'e', 'f']);
    expect(ids(await listDueSources(store.db, t0 + 10))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it("records who polled and releases its claim on success and on failure, not another owner's", async () => {
    await claimDueSources(store.db, terms('me', t0, 3));
    await recordSuccess(store.db, 'a', { now: t0 + 5, durationMs: 1, status: 200, nextPollAt: null, owner: 'me' });
    await recordFailure(store.db, 'b', { now: t0 + 5, durationMs: 1, error: 'HTTP 500', errorKind: 'http', nextPollAt: null, owner: 'me' });
    await recordSuccess(store.db, 'c', { now: t0 + 5, durationMs: 1, status: 200, nextPollAt: null, owner: 'someone-else' });
    const rows = await store.db.selectFrom('sources').select(['id', 'claimed_by', 'claimed_until', 'last_polled_by']).where('id', 'in', ['a', 'b', 'c']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'a', claimed_by: null, claimed_until: null, last_polled_by: 'me' },
      { id: 'b', claimed_by: null, claimed_until: null, last_polled_by: 'me' },
      { id: 'c', claimed_by: 'me', claimed_until: t0 + LEASE, last_polled_by: 'someone-else' },
    ]);
  });

  it('never gives a source to two of several processes claiming at the same moment', async () => {
    const shared = await freshSharedStores(kind, 4);
    try {
      const sources = Array.from({ length: 40 }, (_, i) => makeSource(`s${String(i).padStart(2, '0')}`));
      await syncSources(shared.stores[0]!.db, sources, t0);
      // Each process claims in small bites until nothing is left, all of them at once.
      const claimed = await Promise.all(
        shared.stores.map(async (process, n) => {
          const mine: string[] = [];
          for (;;) {
            const bite = await claimDueSources(process.db, { owner: `process-${n}`, now: t0, leaseMs: LEASE, limit: 3 });
            if (bite.length === 0) return mine;
            mine.push(...ids(bite));
          }
        }),
      );
      const all = claimed.flat();
      expect(all.sort()).toEqual(ids(sources));
      const owners = await shared.stores[0]!.db.selectFrom('sources').select(['id', 'claimed_by']).execute();
      for (const [n, mine] of claimed.entries()) {
        for (const id of mine) expect(owners.find((row) => row.id === id)?.claimed_by).toBe(`process-${n}`);
      }
    } finally {
      await shared.close();
    }
  });
});
