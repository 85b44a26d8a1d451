import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../test/fixtures/fetch/local-server.js';
import { describeEachDatabase, freshSharedStores, freshStore, makeSource } from '../../test/helpers/store.js';
import type { findSourceIcon } from '../ingest/index.js';
import { getIcon, ICON_RECHECK_MS, readStreamVersion, syncSources, type Db, type OpenedStore } from '../store/index.js';
import { refreshIcons } from './icons.js';

const PNG = readFileSync(new URL('../../test/fixtures/icons/icon.png', import.meta.url));
const t0 = Date.UTC(2026, 0, 1);

describeEachDatabase('refreshIcons', (kind) => {
  let store: OpenedStore;
  let server: LocalServer;
  let favicon: { type: string; body: Buffer | string; status: number };
  beforeEach(async () => {
    favicon = { type: 'image/png', body: PNG, status: 200 };
    server = await startLocalServer((req, res) => {
      if (req.url === '/favicon.ico') return void res.writeHead(favicon.status, { 'content-type': favicon.type }).end(favicon.body);
      res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE html><title>Not here</title>');
    });
    store = await freshStore(kind);
    await syncSources(store.db, [makeSource('blog', { site: server.url, feed: `${server.url}feed.xml` })], t0);
  });
  afterEach(async () => {
    await store.close();
    await server.close();
  });

  const depsAt = (db: Db, now: number, findIcon?: typeof findSourceIcon) => ({
    db,
    log: pino({ level: 'silent' }),
    now: () => now,
    fetchOptions: { timeoutMs: 5000, userAgent: 'portal-test' },
    ...(findIcon && { findIcon }),
  });
  const faviconHits = () => server.requests.filter((r) => r.url === '/favicon.ico').length;

  it("keeps the site's favicon, tells the pages (stream version), and looks again only a day later", async () => {
    const version = await readStreamVersion(store.db);
    expect(await refreshIcons(depsAt(store.db, t0))).toEqual({ looked: 1, stored: 1, unchanged: 0, none: 0 });
    expect((await getIcon(store.db, 'blog'))?.mediaType).toBe('image/png');
    expect(await readStreamVersion(store.db)).toBeGreaterThan(version);
    expect(await refreshIcons(depsAt(store.db, t0 + ICON_RECHECK_MS - 1))).toMatchObject({ looked: 0 });
    expect(faviconHits()).toBe(1);
    const again = await readStreamVersion(store.db);
    expect(await refreshIcons(depsAt(store.db, t0 + ICON_RECHECK_MS))).toEqual({ looked: 1, stored: 0, unchanged: 1, none: 0 });
    expect(await readStreamVersion(store.db)).toBe(again);
  });

  it('keeps the image it had when a later look finds an HTML page instead, and tries again the next day', async () => {
    await refreshIcons(depsAt(store.db, t0));
    favicon = { type: 'image/x-icon', body: '<!DOCTYPE html><html><body>Moved</body></html>', status: 200 };
    expect(await refreshIcons(depsAt(store.db, t0 + ICON_RECHECK_MS))).toMatchObject({ looked: 1, none: 1 });
    expect((await getIcon(store.db, 'blog'))?.bytes.equals(PNG)).toBe(true);
    expect(await refreshIcons(depsAt(store.db, t0 + ICON_RECHECK_MS + 1))).toMatchObject({ looked: 0 });
    expect(await refreshIcons(depsAt(store.db, t0 + 2 * ICON_RECHECK_MS))).toMatchObject({ looked: 1, none: 1 });
  });

  it('never throws, whatever the look does', async () => {
    const failing = () => Promise.reject(new Error('boom'));
    await expect(refreshIcons(depsAt(store.db, t0, failing))).resolves.toMatchObject({ looked: 1, stored: 0 });
    expect(await getIcon(store.db, 'blog')).toBeUndefined();
  });

  it('gives a look stopped half way back, so the next pass makes it', async () => {
    const stop = new AbortController();
    const stopping: typeof findSourceIcon = async () => {
      stop.abort();
      return { kind: 'none', tried: [] };
    };
    expect(await refreshIcons(depsAt(store.db, t0, stopping), { signal: stop.signal })).toMatchObject({ looked: 1, none: 1 });
    expect(await refreshIcons(depsAt(store.db, t0 + 1))).toMatchObject({ looked: 1, stored: 1 });
  });

  it('looks once when two processes refresh icons at the same time', async () => {
    const shared = await freshSharedStores(kind, 2);
    try {
      await syncSources(shared.stores[0]!.db, [makeSource('blog', { site: server.url, feed: `${server.url}feed.xml` })], t0);
      const tallies = await Promise.all(shared.stores.map((s) => refreshIcons(depsAt(s.db, t0))));
      expect(tallies.map((t) => t.looked).sort()).toEqual([0, 1]);
      expect(faviconHits()).toBe(1);
    } finally {
      await shared.close();
    }
  });
});
