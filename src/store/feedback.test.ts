// The feedback store on both databases: responses kept and purged, the rate limit shared by
// every connection, and the secret made once.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, freshSharedStores, freshStore } from '../../test/helpers/store.js';
import {
  admitFeedbackPost,
  countFeedback,
  deleteFeedbackBefore,
  listFeedback,
  saveFeedback,
  sharedSecret,
  type FeedbackResponse,
  type OpenedStore,
} from './index.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const NOW = Date.UTC(2026, 5, 1, 12, 0);

function response(overrides: Partial<FeedbackResponse> = {}): FeedbackResponse {
  return { usefulness: 4, cameFor: 'news', cameForOther: null, found: 'partly', comment: 'More sources from North Dakota, please.', email: null, ...overrides };
}

describeEachDatabase('feedback responses', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  it('stores a response as given and lists it back, oldest first, since a day', async () => {
    const hostile = '=HYPERLINK("http://evil.example")\r\n"quoted", café ✓';
    await saveFeedback(store.db, response({ comment: hostile, cameFor: 'other', cameForOther: 'A grant', email: 'a@example.org' }), { now: NOW, keepSince: 0 });
    await saveFeedback(store.db, response({ usefulness: 1, found: 'no', comment: '' }), { now: NOW - 2 * DAY, keepSince: 0 });
    const all = await listFeedback(store.db);
    expect(all.map((r) => r.receivedAt)).toEqual([NOW - 2 * DAY, NOW]);
    expect(all[1]).toMatchObject({ usefulness: 4, cameFor: 'other', cameForOther: 'A grant', found: 'partly', comment: hostile, email: 'a@example.org' });
    expect(all[0]).toMatchObject({ usefulness: 1, found: 'no', comment: '', email: null, cameForOther: null });
    expect((await listFeedback(store.db, NOW - DAY)).map((r) => r.receivedAt)).toEqual([NOW]);
    expect(await countFeedback(store.db)).toBe(2);
  });

  it('deletes responses past the retention, on a save and on demand', async () => {
    await saveFeedback(store.db, response(), { now: NOW - 400 * DAY, keepSince: 0 });
    await saveFeedback(store.db, response(), { now: NOW - 100 * DAY, keepSince: 0 });
    await saveFeedback(store.db, response(), { now: NOW, keepSince: NOW - 365 * DAY });
    expect(await countFeedback(store.db)).toBe(2);
    expect(await deleteFeedbackBefore(store.db, NOW - 30 * DAY)).toBe(1);
    expect((await listFeedback(store.db)).map((r) => r.receivedAt)).toEqual([NOW]);
  });

  it('admits five posts from an address in ten minutes, refuses the sixth until the first leaves the window', async () => {
    const limit = { addressHash: 'a1', limit: 5, windowMs: 10 * MINUTE };
    for (let i = 0; i < 5; i += 1) expect(await admitFeedbackPost(store.db, { ...limit, now: NOW + i * MINUTE })).toEqual({ admitted: true });
    // Another address is counted apart.
    expect(await admitFeedbackPost(store.db, { ...limit, addressHash: 'b2', now: NOW + 5 * MINUTE })).toEqual({ admitted: true });
    expect(await admitFeedbackPost(store.db, { ...limit, now: NOW + 6 * MINUTE })).toEqual({ admitted: false, retryAfterMs: 4 * MINUTE });
    // A refused post is not counted: still free at the time it said.
    expect(await admitFeedbackPost(store.db, { ...limit, now: NOW + 9 * MINUTE })).toEqual({ admitted: false, retryAfterMs: MINUTE });
    expect(await admitFeedbackPost(store.db, { ...limit, now: NOW + 10 * MINUTE })).toEqual({ admitted: true });
  });

  it('makes one secret, and gives it back the same every time', async () => {
    const first = await sharedSecret(store.db, 'feedback');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await sharedSecret(store.db, 'feedback')).toBe(first);
  });
});

describeEachDatabase('feedback across processes', (kind) => {
  let shared: Awaited<ReturnType<typeof freshSharedStores>>;
  beforeEach(async () => {
    shared = await freshSharedStores(kind, 3);
  });
  afterEach(async () => {
    await shared.close();
  });

  it('counts the posts of every process against one limit, and all share one secret', async () => {
    const { stores } = shared;
    const limit = { addressHash: 'shared', limit: 5, windowMs: 10 * MINUTE, now: NOW };
    const post = (i: number) => admitFeedbackPost(stores[i % 3]!.db, limit);
    // PostgreSQL: all at once. SQLite: in turn, since connections in one thread cannot wait for
    // each other's write lock (separate processes do, by busy_timeout).
    const admissions = kind === 'postgres' ? await Promise.all(Array.from({ length: 9 }, (_, i) => post(i))) : [];
    if (kind === 'sqlite') for (let i = 0; i < 9; i += 1) admissions.push(await post(i));
    expect(admissions.filter((a) => a.admitted)).toHaveLength(5);
    const secrets = await Promise.all(stores.map((s) => sharedSecret(s.db, 'feedback')));
    expect(new Set(secrets).size).toBe(1);
  });
});
