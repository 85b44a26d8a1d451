import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import { describeEachDatabase } from '../../../test/helpers/store.js';
import { bumpStreamVersion, claimIconCheck, listIconsDue, saveIcon, type Db } from '../../store/index.js';
import { iconPath } from './icons.js';

const PNG = readFileSync(new URL('../../../test/fixtures/icons/icon.png', import.meta.url));
const ICO = readFileSync(new URL('../../../test/fixtures/icons/icon.ico', import.meta.url));
const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Stores `bytes` as the source's icon, as the refresh stage would. */
async function keepIcon(db: Db, sourceId: string, bytes: Buffer, mediaType: string, now = Date.now()): Promise<string> {
  const due = (await listIconsDue(db, now, 0)).find((d) => d.sourceId === sourceId);
  await claimIconCheck(db, due!, now);
  const hash = hashOf(bytes);
  await saveIcon(db, sourceId, { url: `https://${sourceId}.example.org/favicon.ico`, mediaType, bytes, hash }, now);
  return hash;
}

describeEachDatabase('GET /icons/:id.:hash', (kind) => {
  let portal: TestPortal | undefined;
  afterEach(async () => {
    await portal?.close();
    portal = undefined;
  });

  it('serves the kept bytes with their type, an immutable cache, an ETag and nosniff; 304 when asked again', async () => {
    portal = await startPortal({ kind });
    const hash = await keepIcon(portal.store.db, 'regina-holliday', PNG, 'image/png');
    const path = iconPath('regina-holliday', hash);
    expect(path).toBe(`/icons/regina-holliday.${hash.slice(0, 16)}`);
    const first = await portal.app.inject(path);
    expect(first.statusCode).toBe(200);
    expect(first.rawPayload.equals(PNG)).toBe(true);
    expect(first.headers).toMatchObject({
      'content-type': 'image/png',
      'cache-control': 'public, max-age=31536000, immutable',
      etag: `"${hash.slice(0, 16)}"`,
      'x-content-type-options': 'nosniff',
    });
    const again = await portal.app.inject({ url: path, headers: { 'if-none-match': first.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('serves the unhashed address and an old hash with a short cache; 404 for no icon, unknown or removed sources', async () => {
    portal = await startPortal({ kind });
    await keepIcon(portal.store.db, 'himss', ICO, 'image/x-icon');
    for (const url of ['/icons/himss', '/icons/himss.0123456789abcdef']) {
      const response = await portal.app.inject(url);
      expect([response.statusCode, response.headers['content-type'], response.headers['cache-control']]).toEqual([
        200,
        'image/x-icon',
        'public, max-age=3600',
      ]);
    }
    for (const url of ['/icons/regina-holliday', '/icons/nobody', '/icons/HIMSS', '/icons/himss.svg', '/icons/..%2Fstatus']) {
      expect((await portal.app.inject(url)).statusCode, url).toBe(404);
    }
    await portal.store.db.updateTable('sources').set({ active: 0 }).where('id', '=', 'himss').execute();
    expect((await portal.app.inject('/icons/himss')).statusCode).toBe(404);
  });

  it('shows the icon beside the source in the stream and the source list, from the portal’s own address, as decoration', async () => {
    portal = await startPortal({ kind });
    const hash = await keepIcon(portal.store.db, 'regina-holliday', PNG, 'image/png');
    const img = `<img class="source-icon" src="${iconPath('regina-holliday', hash)}" alt="" width="16" height="16">`;
    for (const page of ['/', '/conversations', '/sources/regina-holliday']) {
      const html = (await portal.app.inject(page)).body;
      expect(html, page).toContain(`href="/sources/regina-holliday">${img}`);
      // Only sources with an icon get an <img>, and none points anywhere but here.
      expect(html.match(/<img [^>]*class="source-icon"[^>]*>/g)?.every((tag) => tag === img), page).toBe(true);
    }
    const home = (await portal.app.inject('/')).body;
    expect(home).toContain(`<a href="/sources/regina-holliday">${img}`);
  });

  it('reads the icons once per stream version: one stored with the version bumped (as the refresh stage stores them) shows on the next render', async () => {
    portal = await startPortal({ kind });
    // The first page is rendered before the stream version is known; the second, once it is.
    for (const page of ['/', '/sources/himss']) expect((await portal.app.inject(page)).body).not.toContain('class="source-icon"');
    const hash = await keepIcon(portal.store.db, 'regina-holliday', PNG, 'image/png');
    // The version has not moved: a page rendered for the first time gets this version's icons, read before.
    expect((await portal.app.inject('/conversations')).body).not.toContain('class="source-icon"');
    await bumpStreamVersion(portal.store.db);
    portal.app.webContext.versions.invalidate();
    for (const page of ['/', '/conversations']) expect((await portal.app.inject(page)).body, page).toContain(iconPath('regina-holliday', hash));
  });
});
