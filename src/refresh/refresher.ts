// Refreshing many sources: bounded concurrency, never the same source twice at once, one poll_runs row a pass.
import type { FeedsConfig, RefreshReport } from '../core/types.js';
import {
  claimSource, finishPollRun, indexPendingEntries, listDueSources, pollRunColumns, refreshPlannerStatistics, releaseClaim, renewClaim, startPollRun,
  type Db, type DueOptions, type PollRunTotals,
} from '../store/index.js';
import { Pacer, type PacerLimits, type Pacing, type Ticket } from './pacer.js';
import { refreshSource, type BodyFingerprints } from './refresh-source.js';
import type { ClaimSettings, RefreshAllOptions, RefreshAllResult, RefreshDeps, RefreshSource } from './types.js';
import { messageOf } from '../core/errors.js';

export const DEFAULT_CONCURRENCY = 4;

/**
 * Requests open at once, stalled ones included. Hanging sources delay a pass by about one timeout
 * only while fewer hang than this; past it they wait their turn (a socket each, no CPU).
 */
export const DEFAULT_MAX_OPEN_FETCHES = 128;

/**
 * A fetch still unanswered after this share of the fetch timeout counts as stalled: it keeps its
 * socket (up to the timeout) but stops holding back the pass; its answer, if one comes, waits for a
 * work slot. Small, so that hanging sources cost the pass little more than one timeout; the open
 * requests stay bounded by maxOpenFetches. It is only a floor: a fetch stalls after STALL_FACTOR
 * times the pass's typical answer time when that is longer, so only very fast servers meet it. At
 * 1/200 (25 ms of a 5 s timeout) 100 hanging sources of 1,000 held the other 900 back ~0.6 s on
 * loopback, and the pass ran over one timeout; at 1/1000, ~0.3 s.
 */
export const STALL_SHARE = 1 / 1000;

/**
 * During a pass, what was stored is made ready for readers at most this long after (besides in
 * batches of INDEX_BATCH and when the pass ends): indexed for search, so a web process searching
 * the same SQLite file finds a worker's new entries well within the 10 s the portal promises; and
 * on PostgreSQL planned for, with statistics that follow the tables as a first pass fills them.
 */
export const SEARCH_LAG_MS = 4000;

/**
 * Owns the set of sources being fetched right now, so overlapping passes (the scheduler's, the
 * start-up one) never fetch one source twice at once. One per process.
 */
export class Refresher {
  private readonly inFlight = new Set<string>();
  /** Each source's last body that was parsed and saved: the same bytes again cost no parse. */
  private readonly fingerprints: BodyFingerprints = new Map();
  private indexedAt = 0;
  /** The icon look a pass started, while it runs: at most one at a time. */
  private iconLook: Promise<void> | undefined;

  constructor(private readonly deps: RefreshDeps) {}

  /**
   * Resolves once the icon look the last pass started has ended: what a one-shot poll waits for
   * before it exits, and a stopping worker before it closes the database.
   */
  async settled(): Promise<void> {
    await this.iconLook;
  }

  /**
   * Refreshes one source, or reports it 'skipped' while another pass is fetching it; what it
   * stored is searchable when it resolves.
   */
  async refreshSource(source: RefreshSource): Promise<RefreshReport> {
    const report = await this.refreshInPass(source);
    if (report.added + report.updated > 0) await this.readyForReaders();
    return report;
  }

  private async refreshInPass(source: RefreshSource, pacing?: Pacing): Promise<RefreshReport> {
    const id = source.row.id;
    if (this.inFlight.has(id)) {
      this.deps.log.debug({ source_id: id }, 'already being refreshed: skipped');
      return { sourceId: id, outcome: 'skipped', added: 0, updated: 0, ms: 0 };
    }
    this.inFlight.add(id);
    try {
      return this.deps.claims ? await this.refreshClaimed(source, this.deps.claims, pacing) : await refreshSource(this.deps, source, this.fingerprints, pacing);
    } finally {
      this.inFlight.delete(id);
    }
  }

  /**
   * Claims the source (unless another process holds it or fetched it since it was listed: then
   * 'taken'), renews the claim while the fetch runs past half the lease, and gives it up when done.
   * A success or failure recorded on the row releases it in the same write; only a refresh that
   * recorded nothing leaves one to release here. A process that dies holds it until it lapses.
   */
  private async refreshClaimed(source: RefreshSource, claims: ClaimSettings, pacing?: Pacing): Promise<RefreshReport> {
    const { db, log, now } = this.deps;
    const id = source.row.id;
    const terms = () => ({ owner: claims.owner, now: now(), leaseMs: claims.leaseMs });
    let claimed: boolean;
    try {
      claimed = await claimSource(db, id, { ...terms(), lastAttemptAt: source.row.last_attempt_at });
    } catch (error) {
      return { sourceId: id, outcome: 'error', added: 0, updated: 0, ms: 0, error: `store: could not claim the source: ${messageOf(error)}`, errorKind: 'internal' };
    }
    if (!claimed) {
      // Debug: workers sharing a schedule meet this for about half the sources of every pass.
      log.debug({ source_id: id, outcome: 'taken' }, 'taken by another process: skipped');
      return { sourceId: id, outcome: 'taken', added: 0, updated: 0, ms: 0 };
    }
    const renewal = setInterval(() => {
      renewClaim(db, id, terms()).catch((err: unknown) => log.warn({ source_id: id, err_message: messageOf(err) }, 'could not renew the claim'));
    }, claims.leaseMs / 2);
    renewal.unref();
    let report: RefreshReport | undefined;
    try {
      report = await refreshSource(this.deps, source, this.fingerprints, pacing);
      return report;
    } finally {
      clearInterval(renewal);
      if (report === undefined || report.outcome === 'skipped' || report.errorKind === 'internal') {
        await releaseClaim(db, id, claims.owner).catch((err: unknown) => log.warn({ source_id: id, err_message: messageOf(err) }, 'could not release the claim; it lapses'));
      }
    }
  }

  /**
   * What was stored, made searchable (SQLite) and its tables' planner statistics current
   * (PostgreSQL). A failure here only delays search, or leaves statistics to autovacuum: the
   * entries stay pending and the next pass or start indexes them.
   */
  private async readyForReaders(): Promise<void> {
    this.indexedAt = this.deps.now();
    try {
      await indexPendingEntries(this.deps.db);
    } catch (err) {
      this.deps.log.error({ err }, 'indexing new entries for search failed; the next pass tries again');
    }
    try {
      const analyzed = await refreshPlannerStatistics(this.deps.db);
      if (analyzed.length > 0) this.deps.log.debug({ tables: analyzed }, 'planner statistics refreshed');
    } catch (err) {
      this.deps.log.warn({ err }, 'refreshing the planner statistics failed; autovacuum will');
    }
  }

  /**
   * One pass over `sources` (each at most once), paced by a Pacer: at most `concurrency` sources
   * fetching or worked on at once, a stalled fetch (STALL_SHARE of the timeout) holding back
   * nothing but its socket, at most `maxOpenFetches` requests open. Recorded as a poll_runs row.
   * Then the icons due a look are looked for (deps.refreshIcons), outside the pass's numbers and
   * after it resolves (see `settled`): sites that never answer (a first look at 1,000 unreachable
   * sites is minutes of timeouts) must not hold back the next pass's feeds.
   */
  async refreshAll(sources: readonly RefreshSource[], options: RefreshAllOptions): Promise<RefreshAllResult> {
    const { db, log, now } = this.deps;
    const unique = uniqueSources(sources);
    const startedAt = now();
    const pollRunId = await startPollRun(db, options.trigger, startedAt);
    let done = 0;
    const limits: PacerLimits = {
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      maxOpenFetches: options.maxOpenFetches ?? DEFAULT_MAX_OPEN_FETCHES,
      stallAfterMs: options.stallAfterMs ?? this.deps.fetchOptions.timeoutMs * STALL_SHARE,
    };
    const reports = await mapPaced(unique, new Pacer(limits), async (source, ticket) => {
      const report = options.signal?.aborted ? stoppedReport(source) : await this.refreshInPass(source, ticket);
      done += 1;
      if (report.added + report.updated > 0) {
        callSafely(log, () => options.onStreamChanged?.());
        if (now() - this.indexedAt >= SEARCH_LAG_MS) await this.readyForReaders();
      }
      callSafely(log, () => options.onProgress?.(done, unique.length, report));
      return report;
    });
    // Entries wait for the search index in batches; the pass leaves none waiting.
    await this.readyForReaders();
    // Passes are minutes apart: idle digest workers give their heaps back until the next.
    callSafely(log, () => this.deps.releaseIdleDigesters?.());
    const totals = totalsOf(unique.length, reports);
    const finishedAt = now();
    await finishPollRun(db, pollRunId, finishedAt, totals);
    // The one summary line of a pass (each source has its own line from refreshSource).
    log.info(
      {
        poll_run_id: pollRunId,
        trigger: options.trigger,
        started_at: new Date(startedAt).toISOString(),
        finished_at: new Date(finishedAt).toISOString(),
        ...pollRunColumns(totals),
        ms: finishedAt - startedAt,
      },
      'poll pass finished',
    );
    this.lookForIcons(options.signal);
    return { reports, totals, pollRunId };
  }

  /** Starts a look for the icons due unless one is running (the passes after it find the rest). */
  private lookForIcons(signal: AbortSignal | undefined): void {
    const { refreshIcons } = this.deps;
    if (!refreshIcons || this.iconLook) return;
    // refreshIcons never throws; the catch keeps a broken one from becoming an unhandled rejection.
    this.iconLook = refreshIcons(signal)
      .then(
        () => undefined,
        (err: unknown) => this.deps.log.error({ err }, 'icons: the look failed'),
      )
      .finally(() => {
        this.iconLook = undefined;
      });
  }
}

/** One pass with a fresh Refresher, its icon look included: for callers that never run two passes at once. */
export async function refreshAll(deps: RefreshDeps, sources: readonly RefreshSource[], options: RefreshAllOptions): Promise<RefreshAllResult> {
  const refresher = new Refresher(deps);
  const result = await refresher.refreshAll(sources, options);
  await refresher.settled();
  return result;
}

/**
 * The sources due now, each with its feeds-file entry: listDueSources decides (link-only sources
 * are left out; gone, server-paused, backing-off and not-yet-due ones too, unless `options` say).
 */
export async function dueSources(db: Db, config: FeedsConfig, now: number, options: DueOptions = {}): Promise<RefreshSource[]> {
  const configs = new Map(config.sources.map((s) => [s.id, s]));
  const rows = await listDueSources(db, now, options);
  return rows.flatMap((row) => {
    const sourceConfig = configs.get(row.id);
    return sourceConfig ? [{ row, config: sourceConfig, defaultMaxEntries: config.site.maxEntries }] : [];
  });
}

function uniqueSources(sources: readonly RefreshSource[]): RefreshSource[] {
  const seen = new Set<string>();
  return sources.filter((s) => !seen.has(s.row.id) && Boolean(seen.add(s.row.id)));
}

function stoppedReport(source: RefreshSource): RefreshReport {
  return { sourceId: source.row.id, outcome: 'skipped', added: 0, updated: 0, ms: 0, error: 'refresh: pass stopped' };
}

/** Runs `task` over `items` as `pacer` admits them, in order; results keep the items' order. */
async function mapPaced<T, R>(items: readonly T[], pacer: Pacer, task: (item: T, ticket: Ticket) => Promise<R>): Promise<R[]> {
  const started: Promise<R>[] = [];
  for (const item of items) {
    const ticket = await pacer.admit();
    started.push(task(item, ticket).finally(() => ticket.finish()));
  }
  return Promise.all(started);
}

function totalsOf(sourcesDue: number, reports: readonly RefreshReport[]): PollRunTotals {
  const count = (test: (r: RefreshReport) => boolean) => reports.filter(test).length;
  return {
    sourcesDue,
    fetched: count((r) => r.outcome !== 'skipped' && r.outcome !== 'taken'),
    notModified: count((r) => r.outcome === 'not-modified'),
    errors: count((r) => r.outcome === 'error' || r.outcome === 'gone'),
    entriesAdded: reports.reduce((sum, r) => sum + r.added, 0),
    entriesUpdated: reports.reduce((sum, r) => sum + r.updated, 0),
  };
}

/** A caller's callback failing must not stop the pass. */
function callSafely(log: RefreshDeps['log'], callback: () => void): void {
  try {
    callback();
  } catch (err) {
    log.error({ err }, 'refresh callback failed');
  }
}
