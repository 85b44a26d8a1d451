// What the ingest benches share: the synthetic sources (served by feed-server.ts) and the refresh
// wiring main.ts uses (the real fetcher through a network guard naming the sources, a digest pool,
// one Refresher for the process's life).
import { pino } from 'pino';
import type { FeedsConfig, SourceConfig } from '../../src/core/types.js';
import { createNetworkGuard, fetchFeed, type NetworkGuard } from '../../src/ingest/index.js';
import { DigestPool, Refresher, type RefreshDeps } from '../../src/refresh/index.js';
import type { OpenedStore } from '../../src/store/index.js';

export const ITEMS = 50;

/** `feeds` sources, each the feed host's /feeds/<n>.xml. */
export function feedsConfig(port: number, feeds: number): FeedsConfig {
  const sources: SourceConfig[] = Array.from({ length: feeds }, (_, n) => ({
    id: `feed-${n}`,
    title: `Feed ${n}`,
    site: `http://feeds.example.org/${n}/`,
    feed: `http://127.0.0.1:${port}/feeds/${n}.xml`,
    description: `Synthetic feed ${n}`,
    category: ['advocacy', 'government', 'research'][n % 3] as string,
  }));
  return {
    site: { title: 'Bench', tagline: 'Bench', url: 'https://portal.example.org/', timezone: 'America/Chicago', maxEntries: 200 },
    sources,
  };
}

/** A Refresher over `store` with `workers` digest threads, as main.ts wires one; close the pool and the guard after. */
export function benchRefresher(
  store: OpenedStore,
  config: FeedsConfig,
  workers: number,
  timeoutMs: number,
): { refresher: Refresher; pool: DigestPool; guard: NetworkGuard } {
  const pool = new DigestPool({ size: workers });
  const guard = createNetworkGuard({ namedSources: () => config.sources });
  const deps: RefreshDeps = {
    digest: pool.run,
    releaseIdleDigesters: () => pool.releaseIdle(),
    db: store.db,
    fetchFeed,
    log: pino({ level: 'silent' }),
    now: Date.now,
    fetchOptions: { timeoutMs, userAgent: 'PatientEngagementPortal/bench (+https://portal.example.org/)', guard },
  };
  return { refresher: new Refresher(deps), pool, guard };
}
