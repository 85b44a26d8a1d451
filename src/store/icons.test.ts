import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, freshStore, makeSource } from '../../test/helpers/store.js';
import {
  claimIconCheck, confirmIcon, getIcon, listIconHashes, listIconsDue, saveIcon, syncSources, ICON_RECHECK_MS, type OpenedStore,
} from './index.js';

const t0 = Date.UTC(2026, 0, 1);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0, 1, 2, 3, 0xff, 0x00]);
const icon = (hash: string, bytes = PNG) => ({ url: 'https://a.example.org/favicon.ico', mediaType: 'image/png', bytes, hash, etag: '"v1"' });

describeEachDatabase('source icons', (kind) => {
  let store: OpenedStore;
  beforeEach(async () => {
    store = await freshStore(kind);
    await syncSources(store.db, [makeSource('a'), makeSource('b', { feed: undefined })], t0);
  });
  afterEach(async () => {
    await store.close();
  });

  const ids = async (now: number) => (await listIconsDue(store.db, now)).map((due) => due.sourceId);

  it('lists every active source, link-only ones too, until looked for; then again a day later', async () => {
    const due = await listIconsDue(store.db, t0);
    expect(due.map((d) => [d.sourceId, d.foundFrom, d.checkedAt])).toEqual([
      ['a', 'https://a.example.org/', null],
      ['b', 'https://b.example.org/', null],
    ]);
    for (const d of due) expect(await claimIconCheck(store.db, d, t0)).toBe(true);
    expect(await ids(t0 + ICON_RECHECK_MS - 1)).toEqual([]);
    expect(await ids(t0 + ICON_RECHECK_MS)).toEqual(['a', 'b']);
  });

  it('lists a source again at once when its feed names a new icon', async () => {
    const [first] = await listIconsDue(store.db, t0);
    await claimIconCheck(store.db, first!, t0);
    await store.db.updateTable('sources').set({ feed_icon: 'https://cdn.example.org/a.png' }).where('id', '=', 'a').execute();
    const [again] = await listIconsDue(store.db, t0 + 1);
    expect([again?.sourceId, again?.foundFrom]).toEqual(['a', 'https://cdn.example.org/a.png']);
  });

  it('gives a look to one process only, first look or later', async () => {
    const [due] = await listIconsDue(store.db, t0);
    expect(await claimIconCheck(store.db, due!, t0)).toBe(true);
    expect(await claimIconCheck(store.db, due!, t0)).toBe(false);
    const [later] = await listIconsDue(store.db, t0 + ICON_RECHECK_MS);
    expect(await claimIconCheck(store.db, later!, t0 + ICON_RECHECK_MS)).toBe(true);
    expect(await claimIconCheck(store.db, later!, t0 + ICON_RECHECK_MS + 5)).toBe(false);
  });

  it('keeps the bytes exactly, serves them for active sources, and says when they changed', async () => {
    const [due] = await listIconsDue(store.db, t0);
    await claimIconCheck(store.db, due!, t0);
    expect(await getIcon(store.db, 'a')).toBeUndefined();
    expect(await saveIcon(store.db, 'a', icon('h1'), t0)).toBe(true);
    const kept = await getIcon(store.db, 'a');
    expect(kept?.mediaType).toBe('image/png');
    expect(kept?.hash).toBe('h1');
    expect([...kept!.bytes]).toEqual([...PNG]);
    expect(await listIconHashes(store.db)).toEqual(new Map([['a', 'h1']]));
    expect(await saveIcon(store.db, 'a', icon('h1'), t0 + 1)).toBe(false);
    await confirmIcon(store.db, 'a', t0 + 2);
    const [next] = await listIconsDue(store.db, t0 + ICON_RECHECK_MS);
    expect(next?.stored).toEqual({ url: 'https://a.example.org/favicon.ico', hash: 'h1', etag: '"v1"', lastModified: null });

    await syncSources(store.db, [makeSource('b', { feed: undefined })], t0 + 3);
    expect(await getIcon(store.db, 'a')).toBeUndefined();
    expect(await listIconHashes(store.db)).toEqual(new Map());
  });
});
