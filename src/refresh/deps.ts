import { fetchFeed, type NetworkGuard } from '../ingest/index.js';
import type { Db } from '../store/index.js';
import type { DigestPool } from './digest-pool.js';
import type { RefreshDeps } from './types.js';
import type { Logger } from 'pino';

/** The production wiring: the real fetcher through the process's network guard, the wall clock, and digests on the pool's worker threads. */
export function productionRefreshDeps(
  db: Db,
  log: Logger,
  fetch: { timeoutMs: number; userAgent: string; guard: NetworkGuard },
  digests: DigestPool,
): RefreshDeps {
  return {
    db,
    log,
    fetchFeed,
    now: Date.now,
    fetchOptions: { timeoutMs: fetch.timeoutMs, userAgent: fetch.userAgent, guard: fetch.guard },
    digest: digests.run,
    releaseIdleDigesters: () => digests.releaseIdle(),
  };
}
