// Source icons: which are due a look, who looks (one process at a time), what was found, and what
// the pages and the /icons/ route read back. The bytes were checked before they came here.
import type { Db } from './database.js';

/** A day: an icon is looked for again this long after the last look, found or not. */
export const ICON_RECHECK_MS = 24 * 60 * 60 * 1000;

/** An active source whose icon is due a look, with what the last look kept. */
export interface IconDue {
  sourceId: string;
  siteUrl: string;
  /** The feed's own icon or image URL, as the last fetch of the feed gave it. */
  feedIcon: string | null;
  /** Where this look begins: the feed's icon, else the site. */
  foundFrom: string;
  /** The last look's time, null before the first: the claim compares it. */
  checkedAt: number | null;
  /** The stored image's origin and validators, for a conditional GET. */
  stored?: { url: string; hash: string; etag: string | null; lastModified: string | null };
}

/**
 * The active sources whose icon was never looked for, was looked for a day or more ago, or
 * begins somewhere new (the feed's icon changed). The sources are few: filtered here, not in SQL.
 */
export async function listIconsDue(db: Db, now: number, recheckMs = ICON_RECHECK_MS): Promise<IconDue[]> {
  const rows = await db
    .selectFrom('sources')
    .leftJoin('source_icons', 'source_icons.source_id', 'sources.id')
    .select([
      'sources.id',
      'sources.site_url',
      'sources.feed_icon',
      'source_icons.found_from',
      'source_icons.checked_at',
      'source_icons.url',
      'source_icons.hash',
      'source_icons.etag',
      'source_icons.last_modified',
    ])
    .where('sources.active', '=', 1)
    .orderBy('sources.position')
    .execute();
  return rows.flatMap((row) => {
    const foundFrom = row.feed_icon ?? row.site_url;
    const checkedAt = row.checked_at === null ? null : Number(row.checked_at);
    const due = checkedAt === null || checkedAt + recheckMs <= now || row.found_from !== foundFrom;
    if (!due) return [];
    const icon: IconDue = { sourceId: row.id, siteUrl: row.site_url, feedIcon: row.feed_icon, foundFrom, checkedAt };
    if (row.url !== null && row.hash !== null) {
      icon.stored = { url: row.url, hash: row.hash, etag: row.etag, lastModified: row.last_modified };
    }
    return [icon];
  });
}

/**
 * Takes the look at `due`'s icon for this process by moving its checked_at to `now`, only if no
 * other process moved it since `due` was read. True: ours to look for; false: another has it.
 */
export async function claimIconCheck(db: Db, due: Pick<IconDue, 'sourceId' | 'checkedAt' | 'foundFrom'>, now: number): Promise<boolean> {
  if (due.checkedAt === null) {
    const inserted = await db
      .insertInto('source_icons')
      .values({ source_id: due.sourceId, found_from: due.foundFrom, checked_at: now })
      .onConflict((oc) => oc.column('source_id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const updated = await db
    .updateTable('source_icons')
    .set({ found_from: due.foundFrom, checked_at: now })
    .where('source_id', '=', due.sourceId)
    .where('checked_at', '=', due.checkedAt)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/**
 * Gives back a look this process claimed at `claimedAt` but could not finish (it is stopping): the
 * icon is due again at once, as before the claim, unless another process claimed it since.
 */
export async function releaseIconCheck(db: Db, due: Pick<IconDue, 'sourceId' | 'checkedAt'>, claimedAt: number): Promise<void> {
  await db
    .updateTable('source_icons')
    .set({ checked_at: due.checkedAt ?? 0 })
    .where('source_id', '=', due.sourceId)
    .where('checked_at', '=', claimedAt)
    .execute();
}

/** An image that passed the checks, with where it came from. */
export interface FoundIcon {
  url: string;
  mediaType: string;
  bytes: Uint8Array;
  hash: string;
  etag?: string | undefined;
  lastModified?: string | undefined;
}

/** Keeps a found image for a source already claimed. True when the image differs from the one kept before. */
export async function saveIcon(db: Db, sourceId: string, icon: FoundIcon, now: number): Promise<boolean> {
  const before = await db.selectFrom('source_icons').select('hash').where('source_id', '=', sourceId).executeTakeFirst();
  await db
    .updateTable('source_icons')
    .set({
      url: icon.url,
      media_type: icon.mediaType,
      bytes: Buffer.from(icon.bytes.buffer, icon.bytes.byteOffset, icon.bytes.byteLength),
      hash: icon.hash,
      etag: icon.etag ?? null,
      last_modified: icon.lastModified ?? null,
      fetched_at: now,
    })
    .where('source_id', '=', sourceId)
    .execute();
  return before?.hash !== icon.hash;
}

/** The kept image was confirmed unchanged (a 304). */
export async function confirmIcon(db: Db, sourceId: string, now: number): Promise<void> {
  await db.updateTable('source_icons').set({ fetched_at: now }).where('source_id', '=', sourceId).execute();
}

/** What the /icons/ route serves. */
export interface StoredIcon {
  mediaType: string;
  bytes: Buffer;
  hash: string;
}

/** An active source's kept icon, if it has one. */
export async function getIcon(db: Db, sourceId: string): Promise<StoredIcon | undefined> {
  const row = await db
    .selectFrom('source_icons')
    .innerJoin('sources', 'sources.id', 'source_icons.source_id')
    .select(['source_icons.media_type', 'source_icons.bytes', 'source_icons.hash'])
    .where('source_icons.source_id', '=', sourceId)
    .where('sources.active', '=', 1)
    .executeTakeFirst();
  if (!row || row.media_type === null || row.bytes === null || row.hash === null) return undefined;
  return { mediaType: row.media_type, bytes: Buffer.from(row.bytes), hash: row.hash };
}

/** Each active source that has an icon, with its image's hash: what the pages link to. */
export async function listIconHashes(db: Db): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('source_icons')
    .innerJoin('sources', 'sources.id', 'source_icons.source_id')
    .select(['source_icons.source_id', 'source_icons.hash'])
    .where('sources.active', '=', 1)
    .where('source_icons.hash', 'is not', null)
    .where('source_icons.bytes', 'is not', null)
    .execute();
  return new Map(rows.flatMap((row) => (row.hash === null ? [] : [[row.source_id, row.hash] as const])));
}
