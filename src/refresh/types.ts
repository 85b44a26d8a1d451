import type { Logger } from 'pino';
import type { CacheValidators, FetchResult, RefreshReport, SourceConfig } from '../core/types.js';
import type { NetworkGuard } from '../ingest/index.js';
import type { Db, PollRunTotals, SourceRow } from '../store/index.js';
import type { Digester } from './digest.js';

/** The fetch options refresh passes on (the fetcher's own clock is refresh's `now`). */
export interface RefreshFetchOptions {
  timeoutMs: number;
  userAgent: string;
  maxBytes?: number;
  maxRedirects?: number;
  /** The process's guard: which private-network origins fetches may reach (see fetchFeed). */
  guard?: NetworkGuard;
}

export type FeedFetcher = (
  url: string,
  validators: CacheValidators,
  options: RefreshFetchOptions & { now?: () => number },
) => Promise<FetchResult>;

/** What refreshing needs, passed in by main.ts, the poll command or a test. */
export interface RefreshDeps {
  db: Db;
  fetchFeed: FeedFetcher;
  log: Logger;
  /** Wall clock in ms since the epoch: stored times and the parser's "now". */
  now: () => number;
  fetchOptions: RefreshFetchOptions;
  /** Where a fetched body is digested: a DigestPool's run, off the main thread (tests may pass digestFeed). */
  digest: Digester;
  /** Called when a pass ends: the pool behind `digest` may stop its idle workers (DigestPool.releaseIdle). */
  releaseIdleDigesters?: () => void;
  /** Started when a pass ends, not awaited by it (Refresher.settled is): the icons due a look are looked for (refreshIcons); never throws. */
  refreshIcons?: (signal?: AbortSignal) => Promise<unknown>;
  /** A saved feed names a WebSub hub (in its body or a Link header): the subscriber may subscribe. */
  onHubFound?: (source: RefreshSource, links: FoundHub) => void;
  /**
   * Claim each source before fetching it, so processes sharing the database never fetch one at
   * once (main.ts and `npm run poll` always do). Absent: no claims (tests of one process).
   */
  claims?: ClaimSettings;
}

/** Who this process is in the sources' claims, and how long a claim holds before it lapses. */
export interface ClaimSettings {
  /** Unique per process: `hostname:pid:role`; stored as the source's last_polled_by. */
  owner: string;
  /** 2 × FETCH_TIMEOUT_MS; renewed while a fetch runs longer. */
  leaseMs: number;
}

/** A WebSub hub a feed names, and the topic to subscribe to (its rel="self", else the fetched URL). */
export interface FoundHub {
  hub: string;
  topic: string;
}

/** What storing a body needs (a poll's fetched one, or a hub's push): no fetcher. */
export type DigestDeps = Pick<RefreshDeps, 'db' | 'log' | 'now' | 'digest' | 'onHubFound' | 'claims'>;

/** A source ready to refresh: its stored row and what the feeds file says of it. */
export interface RefreshSource {
  row: SourceRow;
  config: SourceConfig;
  /** The site's `max_entries`, used when the source sets none. */
  defaultMaxEntries: number;
}

export interface RefreshAllOptions {
  /** Sources fetched at once; default 4. */
  concurrency?: number;
  /** Why this pass runs ('startup', 'schedule', 'cli', ...), kept in poll_runs. */
  trigger: string;
  /** Called after a source's entries were added or updated, so caches of the stream let go. */
  onStreamChanged?: () => void;
  /** Called after each source, with how many are done out of how many. */
  onProgress?: (done: number, total: number, report: RefreshReport) => void;
  /**
   * A fetch unanswered this long stops counting against `concurrency` (it still runs to its
   * timeout, and its answer is then worked on like any other); default: the fetch timeout × STALL_SHARE.
   */
  stallAfterMs?: number;
  /** Requests open at once, stalled ones included; default DEFAULT_MAX_OPEN_FETCHES (128). */
  maxOpenFetches?: number;
  /** Once aborted, no further source is started; those already fetching finish and are saved. */
  signal?: AbortSignal;
}

export interface RefreshAllResult {
  /** One per source, in the order given. */
  reports: RefreshReport[];
  totals: PollRunTotals;
  pollRunId: number;
}
