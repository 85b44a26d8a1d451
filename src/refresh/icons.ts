// Refreshing the sources' icons, after a poll pass: each active source's icon looked for at most
// once a day (or at once when its feed names a new one), by one process, never failing the pass.
import type { Logger } from 'pino';
import { messageOf } from '../core/errors.js';
import { findSourceIcon } from '../ingest/index.js';
import {
  bumpStreamVersion, claimIconCheck, confirmIcon, listIconsDue, releaseIconCheck, saveIcon, type Db, type IconDue,
} from '../store/index.js';
import type { RefreshFetchOptions } from './types.js';

/** Icons looked for at once: each look is a few small requests. */
export const ICON_CONCURRENCY = 4;

export interface IconRefreshDeps {
  db: Db;
  log: Logger;
  now: () => number;
  fetchOptions: RefreshFetchOptions;
  /** The look itself; tests may pass their own. */
  findIcon?: typeof findSourceIcon;
}

export interface IconTally {
  /** Looks this process made (others' claims are not counted). */
  looked: number;
  /** New or changed images kept. */
  stored: number;
  unchanged: number;
  /** Looks that found nothing usable: tried again a day later. */
  none: number;
}

/**
 * Looks for every due icon, ICON_CONCURRENCY at a time; once `signal` aborts (the process stops),
 * the looks in flight end and no more start. A kept image that changed bumps the stream version, so cached pages link to it.
 */
export async function refreshIcons(deps: IconRefreshDeps, options: { signal?: AbortSignal } = {}): Promise<IconTally> {
  const tally: IconTally = { looked: 0, stored: 0, unchanged: 0, none: 0 };
  try {
    const queue = await listIconsDue(deps.db, deps.now());
    const lookNext = async (): Promise<void> => {
      for (let due = queue.shift(); due && !options.signal?.aborted; due = queue.shift()) {
        const sourceId = due.sourceId;
        await lookFor(deps, due, tally, options.signal).catch((err: unknown) =>
          deps.log.info({ source_id: sourceId, err: messageOf(err) }, 'icons: looking failed; tried again in a day'),
        );
      }
    };
    await Promise.all(Array.from({ length: ICON_CONCURRENCY }, lookNext));
    if (tally.stored > 0) await bumpStreamVersion(deps.db);
  } catch (err) {
    deps.log.info({ err: messageOf(err) }, 'icons: refreshing failed; the next pass tries again');
  }
  if (tally.looked > 0) deps.log.info({ ...tally }, 'icons refreshed');
  return tally;
}

async function lookFor(deps: IconRefreshDeps, due: IconDue, tally: IconTally, signal: AbortSignal | undefined): Promise<void> {
  const claimedAt = deps.now();
  if (!(await claimIconCheck(deps.db, due, claimedAt))) return;
  tally.looked += 1;
  const search = { feedIcon: due.feedIcon, siteUrl: due.siteUrl, ...(due.stored && { stored: due.stored }) };
  const outcome = await (deps.findIcon ?? findSourceIcon)(search, { ...deps.fetchOptions, signal });
  const line = { source_id: due.sourceId };
  if (outcome.kind === 'found') {
    const changed = await saveIcon(deps.db, due.sourceId, outcome.icon, deps.now());
    if (changed) tally.stored += 1;
    else tally.unchanged += 1;
    deps.log.debug({ ...line, icon_url: outcome.icon.url, media_type: outcome.icon.mediaType, bytes: outcome.icon.bytes.byteLength }, 'icon kept');
  } else if (outcome.kind === 'unchanged') {
    await confirmIcon(deps.db, due.sourceId, deps.now());
    tally.unchanged += 1;
    deps.log.debug({ ...line, icon_url: outcome.url }, 'icon unchanged');
  } else if (signal?.aborted) {
    // Stopped half way: the next pass (in this process or another) looks again, not a day later.
    await releaseIconCheck(deps.db, due, claimedAt);
    tally.none += 1;
  } else {
    tally.none += 1;
    deps.log.debug({ ...line, tried: outcome.tried }, 'no usable icon; tried again in a day');
  }
}
