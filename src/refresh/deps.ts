import { fetchFeed } from '../ingest/index.js';
import type { Db } from '../store/index.js';
import type { DigestPool } from './digest-pool.js';
import type { RefreshDeps } from './types.js';
import type { Logger } from 'pino';

/** The production wiring: the real fetcher, the wall clock, and digests on the pool's worker threads. */
export function productionRefreshDeps(db: Db, log: Logger, fetch: { timeoutMs: number; userAgent: string }, digests: DigestPool): RefreshDeps {
  return {
    db,
    log,
    fetchFeed,
    now: Date.now,
    fetchOptions: { timeoutMs: fetch.timeoutMs, userAgent: fetch.userAgent },
    digest: digests.run,
    releaseIdleDigesters: () => digests.releaseIdle(),
  };
}
