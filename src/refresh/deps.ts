// The production refresher, wired the one way the server and `npm run poll` both use: fetches
// through a network guard, digests on the worker pool, the wall clock.
import { hostname } from 'node:os';
import { createNetworkGuard, fetchFeed, type NamingSource } from '../ingest/index.js';
import { listClaimOwners, releaseClaimsOf, type Db } from '../store/index.js';
import { DigestPool, defaultDigestWorkers } from './digest-pool.js';
import { refreshIcons } from './icons.js';
import { Refresher } from './refresher.js';
import type { Digester } from './digest.js';
import type { ClaimSettings, FeedFetcher, RefreshDeps } from './types.js';
import type { Logger } from 'pino';

export interface ProductionRefresherOptions {
  db: Db;
  log: Logger;
  timeoutMs: number;
  userAgent: string;
  /** The feeds file's sources, asked at each connection: the origins that may be on a private network. */
  namedSources: () => readonly NamingSource[];
  allowPrivateNetworks: boolean;
  /** How long one feed's digest may run (default the pool's). */
  digestTimeBudgetMs?: number;
  /** Wraps the fetcher (the server counts fetches for /metrics). */
  wrapFetcher?: (fetcher: FeedFetcher) => FeedFetcher;
  /** A saved feed names a WebSub hub (the WebSub subscriber's hubFound). */
  onHubFound?: RefreshDeps['onHubFound'];
  /** This process's claims on sources (see RefreshDeps.claims). */
  claims?: ClaimSettings;
}

export interface ProductionRefresher {
  refresher: Refresher;
  /** The digest pool's run: what a WebSub push is digested with, off the main thread like a poll. */
  digest: Digester;
  /** The fetcher's network guard's fetch, for requests to hubs that feeds name. */
  guardedFetch: typeof fetch;
  /** Stops the digest workers and closes the guard's connections; call once the passes are done. */
  close(): Promise<void>;
}

export function startProductionRefresher(options: ProductionRefresherOptions): ProductionRefresher {
  const { log } = options;
  // Fetches reach a private network only at origins the feeds file names.
  const guard = createNetworkGuard({ namedSources: options.namedSources, allowPrivateNetworks: options.allowPrivateNetworks });
  // Parsing and sanitizing run on worker threads, one per core; the main thread fetches, stores and serves.
  const digests = new DigestPool({ size: defaultDigestWorkers(), log, timeBudgetMs: options.digestTimeBudgetMs });
  const fetchOptions = { timeoutMs: options.timeoutMs, userAgent: options.userAgent, guard };
  const refresher = new Refresher({
    db: options.db,
    log,
    fetchFeed: options.wrapFetcher ? options.wrapFetcher(fetchFeed) : fetchFeed,
    now: Date.now,
    fetchOptions,
    digest: digests.run,
    releaseIdleDigesters: () => digests.releaseIdle(),
    refreshIcons: (signal) => refreshIcons({ db: options.db, log, now: Date.now, fetchOptions }, { signal }),
    ...(options.onHubFound ? { onHubFound: options.onHubFound } : {}),
    ...(options.claims && { claims: options.claims }),
  });
  return { refresher, digest: digests.run, guardedFetch: guard.fetch, close: async () => void (await Promise.all([digests.close(), guard.close()])) };
}

/** Who this process is in the sources' claims and in their last_polled_by: `hostname:pid:role`. */
export function processIdentity(role: string): string {
  return `${hostname()}:${process.pid}:${role}`;
}

/** A claim lasts two fetch timeouts (renewed while a fetch runs longer), so a dead process's claims lapse soon. */
export function claimSettings(owner: string, fetchTimeoutMs: number): ClaimSettings {
  return { owner, leaseMs: 2 * fetchTimeoutMs };
}

/**
 * Frees the claims of processes on this machine that are gone (a `kill -9`, a crash), and of an
 * earlier process with this one's identity (a container restarted keeps its host name and pid), so
 * a restart polls their sources at once instead of after the lapse. Other machines' claims lapse.
 */
export async function releaseClaimsOfDeadProcesses(db: Db, log: Logger, now: number, isAlive: (pid: number) => boolean = processIsAlive): Promise<void> {
  const host = hostname();
  for (const owner of await listClaimOwners(db, now)) {
    const [ownerHost, pidText] = owner.split(':');
    const pid = Number(pidText);
    if (ownerHost !== host || !Number.isInteger(pid)) continue;
    if (pid !== process.pid && isAlive(pid)) continue;
    const released = await releaseClaimsOf(db, owner);
    log.info({ owner, released }, 'released the claims of a process that is gone');
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
