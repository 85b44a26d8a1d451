// Refreshing many sources: bounded concurrency, never the same source twice at once, one poll_runs row a pass.
import type { FeedsConfig, RefreshReport } from '../core/types.js';
import { finishPollRun, listDueSources, startPollRun, type Db, type PollRunTotals } from '../store/index.js';
import { refreshSource, type BodyDigests } from './refresh-source.js';
import type { RefreshAllOptions, RefreshAllResult, RefreshDeps, RefreshSource } from './types.js';

export const DEFAULT_CONCURRENCY = 4;

/**
 * A fetch still unanswered after this share of the fetch timeout gives its slot up (it keeps
 * waiting, up to the timeout): hanging sources then delay a pass by about one timeout, not by
 * (hanging sources × timeout / concurrency). At most concurrency / STALL_SHARE fetches wait at once.
 */
export const STALL_SHARE = 1 / 40;

/**
 * Owns the set of sources being fetched right now, so overlapping passes (the scheduler's, the
 * start-up one) never fetch one source twice at once. One per process.
 */
export class Refresher {
  private readonly inFlight = new Set<string>();
  /** Each source's last body that was parsed and saved: the same bytes again cost no parse. */
  private readonly digests: BodyDigests = new Map();

  constructor(private readonly deps: RefreshDeps) {}

  /** Refreshes one source, or reports it 'skipped' while another pass is fetching it. */
  async refreshSource(source: RefreshSource): Promise<RefreshReport> {
    const id = source.row.id;
    if (this.inFlight.has(id)) {
      this.deps.log.debug({ source_id: id }, 'already being refreshed: skipped');
      return { sourceId: id, outcome: 'skipped', added: 0, updated: 0, ms: 0 };
    }
    this.inFlight.add(id);
    try {
      return await refreshSource(this.deps, source, this.digests);
    } finally {
      this.inFlight.delete(id);
    }
  }

  /**
   * One pass over `sources` (each at most once), `concurrency` at a time: a slow source holds up
   * only its own slot, and only until it counts as stalled (STALL_SHARE). Recorded as a poll_runs row.
   */
  async refreshAll(sources: readonly RefreshSource[], options: RefreshAllOptions): Promise<RefreshAllResult> {
    const { db, log, now } = this.deps;
    const unique = uniqueSources(sources);
    const startedAt = now();
    const pollRunId = await startPollRun(db, options.trigger, startedAt);
    let done = 0;
    const limits = {
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      stallAfterMs: options.stallAfterMs ?? this.deps.fetchOptions.timeoutMs * STALL_SHARE,
    };
    const reports = await mapBounded(unique, limits, async (source) => {
      const report = options.signal?.aborted ? stoppedReport(source) : await this.refreshSource(source);
      done += 1;
      if (report.added + report.updated > 0) callSafely(log, () => options.onStreamChanged?.());
      callSafely(log, () => options.onProgress?.(done, unique.length, report));
      return report;
    });
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
        ...snakeTotals(totals),
        ms: finishedAt - startedAt,
      },
      'poll pass finished',
    );
    return { reports, totals, pollRunId };
  }
}

/** One pass with a fresh Refresher: for callers that never run two passes at once. */
export function refreshAll(deps: RefreshDeps, sources: readonly RefreshSource[], options: RefreshAllOptions): Promise<RefreshAllResult> {
  return new Refresher(deps).refreshAll(sources, options);
}

/**
 * The sources due now, each with its feeds-file entry: listDueSources decides (link-only, gone,
 * backing-off and not-yet-due sources are left out, the last two unless `ignoreSchedule`).
 */
export async function dueSources(
  db: Db,
  config: FeedsConfig,
  now: number,
  options: { ignoreSchedule?: boolean } = {},
): Promise<RefreshSource[]> {
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

/**
 * Runs `task` over `items` with at most `concurrency` running at once, except that a task still
 * running after `stallAfterMs` frees its slot; results keep the items' order.
 */
async function mapBounded<T, R>(
  items: readonly T[],
  limits: { concurrency: number; stallAfterMs: number },
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const started: Promise<void>[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      const done = task(items[index] as T).then((result) => {
        results[index] = result;
      });
      started.push(done);
      await settledOrStalled(done, limits.stallAfterMs);
    }
  };
  const workers = Math.max(1, Math.min(limits.concurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  await Promise.all(started);
  return results;
}

/** Resolves when `promise` settles or after `ms`, whichever comes first (a rejection is left to its owner). */
function settledOrStalled(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const settle = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(settle, settle);
  });
}

function totalsOf(sourcesDue: number, reports: readonly RefreshReport[]): PollRunTotals {
  const count = (test: (r: RefreshReport) => boolean) => reports.filter(test).length;
  return {
    sourcesDue,
    fetched: count((r) => r.outcome !== 'skipped'),
    notModified: count((r) => r.outcome === 'not-modified'),
    errors: count((r) => r.outcome === 'error' || r.outcome === 'gone'),
    entriesAdded: reports.reduce((sum, r) => sum + r.added, 0),
    entriesUpdated: reports.reduce((sum, r) => sum + r.updated, 0),
  };
}

function snakeTotals(totals: PollRunTotals): Record<string, number> {
  return {
    sources_due: totals.sourcesDue,
    fetched: totals.fetched,
    not_modified: totals.notModified,
    errors: totals.errors,
    entries_added: totals.entriesAdded,
    entries_updated: totals.entriesUpdated,
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
