// The poller's Prometheus metrics, registered on the registry main.ts made (never the global one).
// Fed from outside refresh: the fetcher is wrapped, reports come through onProgress, and the
// store-derived gauges are read at scrape time, so refresh knows nothing of metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { FetchResult, RefreshReport } from '../core/types.js';
import type { FeedFetcher } from '../refresh/index.js';
import type { Db } from '../store/index.js';

export interface PollMetrics {
  /** Wraps a fetcher so each fetch's duration and bytes are counted. */
  meterFetcher(fetcher: FeedFetcher): FeedFetcher;
  /** Counts one source's refresh: its outcome and the entries it added and updated. */
  observeReport(report: RefreshReport): void;
}

export interface PollMetricsDeps {
  registry: Registry;
  db: Db;
  now?: () => number;
}

const FETCH_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

export function createPollMetrics({ registry, db, now = Date.now }: PollMetricsDeps): PollMetrics {
  const registers = [registry];
  const polls = new Counter({ name: 'portal_polls_total', help: 'Source refreshes by outcome.', labelNames: ['outcome'] as const, registers });
  const fetchDuration = new Histogram({
    name: 'portal_fetch_duration_seconds',
    help: 'Time one feed request took, body included.',
    labelNames: ['result'] as const,
    buckets: FETCH_BUCKETS_SECONDS,
    registers,
  });
  const bytes = new Counter({ name: 'portal_fetch_bytes_total', help: 'Feed body bytes fetched (decoded).', registers });
  const added = new Counter({ name: 'portal_entries_added_total', help: 'Entries added to the store.', registers });
  const updated = new Counter({ name: 'portal_entries_updated_total', help: 'Stored entries whose content changed.', registers });
  new Gauge({
    name: 'portal_sources_in_backoff',
    help: 'Active sources waiting out a backoff after failures, read from the store at scrape time.',
    registers,
    async collect() {
      this.set(await countInBackoff(db, now()));
    },
  });
  new Gauge({
    name: 'portal_poll_last_pass_timestamp_seconds',
    help: 'When the last finished poll pass ended (Unix seconds; 0 before the first).',
    registers,
    async collect() {
      this.set((await lastFinishedPass(db)) / 1000);
    },
  });

  for (const outcome of ['updated', 'unchanged', 'not-modified', 'error', 'gone', 'skipped'] as const) polls.inc({ outcome }, 0);

  return {
    meterFetcher: (fetcher) => async (url, validators, options) => {
      const result = await fetcher(url, validators, options);
      fetchDuration.observe({ result: fetchLabel(result) }, result.durationMs / 1000);
      if (result.kind === 'ok') bytes.inc(result.bytes);
      return result;
    },
    observeReport(report) {
      polls.inc({ outcome: report.outcome });
      if (report.added > 0) added.inc(report.added);
      if (report.updated > 0) updated.inc(report.updated);
    },
  };
}

function fetchLabel(result: FetchResult): string {
  return result.kind === 'error' ? 'error' : result.kind;
}

async function countInBackoff(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom('sources')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('active', '=', 1)
    .where('gone', '=', 0)
    .where('backoff_until', '>', now)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function lastFinishedPass(db: Db): Promise<number> {
  const row = await db.selectFrom('poll_runs').select((eb) => eb.fn.max('finished_at').as('at')).executeTakeFirst();
  return Number(row?.at ?? 0);
}
