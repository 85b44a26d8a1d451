// The poller's Prometheus metrics, registered on the registry main.ts made (never the global one).
// Fed from outside refresh: the fetcher is wrapped, reports come through onProgress, and what the
// store knows (every process's passes, each source's health, the entries stored) is read at scrape
// time, so refresh knows nothing of metrics and `npm run poll`'s passes count too.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { FetchResult, RefreshReport } from '../core/types.js';
import type { FeedFetcher } from '../refresh/index.js';
import { countStoredEntries, listSourceHealth, tallyPollRuns, type Db } from '../store/index.js';

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
  /** package.json's version, for portal_build_info. */
  version?: string;
  /** The feeds file's live state (LiveConfig.state), when this process watches one. */
  feedsFile?: () => { lastGoodLoadAt: number; refused: unknown };
}

const FETCH_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

export function createPollMetrics({ registry, db, now = Date.now, version = '0.0.0', feedsFile }: PollMetricsDeps): PollMetrics {
  const registers = [registry];
  const polls = new Counter({ name: 'portal_polls_total', help: "This process's source refreshes, by outcome.", labelNames: ['outcome'] as const, registers });
  const fetchDuration = new Histogram({
    name: 'portal_fetch_duration_seconds',
    help: 'Time one feed request took, body included.',
    labelNames: ['result'] as const,
    buckets: FETCH_BUCKETS_SECONDS,
    registers,
  });
  const bytes = new Counter({ name: 'portal_fetch_bytes_total', help: 'Feed body bytes fetched (decoded).', registers });
  new Gauge({ name: 'portal_build_info', help: 'The running version (always 1).', labelNames: ['version', 'node'] as const, registers }).set(
    { version, node: process.version },
    1,
  );
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
  registerStoreTallies(registers, db);
  registerSourceHealth(registers, db);
  if (feedsFile) registerFeedsFile(registers, feedsFile);

  for (const outcome of ['updated', 'unchanged', 'not-modified', 'error', 'gone', 'skipped', 'taken'] as const) polls.inc({ outcome }, 0);

  return {
    meterFetcher: (fetcher) => async (url, validators, options) => {
      const result = await fetcher(url, validators, options);
      fetchDuration.observe({ result: fetchLabel(result) }, result.durationMs / 1000);
      if (result.kind === 'ok') bytes.inc(result.bytes);
      return result;
    },
    observeReport(report) {
      polls.inc({ outcome: report.outcome });
    },
  };
}

/** Every process's finished passes and what they stored, from poll_runs: counters that survive restarts. */
function registerStoreTallies(registers: Registry[], db: Db): void {
  const tallies = () => tallyPollRuns(db);
  const counter = (name: string, help: string, value: (t: Awaited<ReturnType<typeof tallyPollRuns>>[number]) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['trigger'] as const,
      registers,
      async collect() {
        this.reset();
        for (const tally of await tallies()) this.inc({ trigger: tally.trigger }, value(tally));
      },
    });
  counter('portal_poll_passes_total', 'Poll passes started by any process (schedule, start-up, feeds-file change, npm run poll).', (t) => t.passes);
  counter('portal_entries_added_total', 'Entries added to the store by any process, by what started the pass.', (t) => t.entriesAdded);
  counter('portal_entries_updated_total', 'Stored entries whose content changed, by what started the pass.', (t) => t.entriesUpdated);
  new Gauge({
    name: 'portal_entries_stored',
    help: 'Entries stored for the active sources.',
    registers,
    async collect() {
      this.set(await countStoredEntries(db));
    },
  });
}

/** Each source's consecutive errors and last success, labelled by its id (as many series as sources). */
function registerSourceHealth(registers: Registry[], db: Db): void {
  const perSource = (name: string, help: string, value: (row: Awaited<ReturnType<typeof listSourceHealth>>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['source'] as const,
      registers,
      async collect() {
        // Read afresh each scrape: a source taken out of the feeds file leaves the series.
        const rows = await listSourceHealth(db);
        this.reset();
        for (const row of rows) this.set({ source: row.id }, value(row));
      },
    });
  perSource('portal_source_consecutive_errors', 'Failed polls in a row, per source.', (row) => row.error_count);
  perSource('portal_source_last_success_timestamp_seconds', 'When each source last answered a poll (Unix seconds; 0 if never).', (row) => (row.last_success_at ?? 0) / 1000);
}

function registerFeedsFile(registers: Registry[], feedsFile: NonNullable<PollMetricsDeps['feedsFile']>): void {
  new Gauge({
    name: 'portal_feeds_file_refused',
    help: '1 while the last edit of the feeds file is refused (the last good one stays in force), else 0.',
    registers,
    collect() {
      this.set(feedsFile().refused ? 1 : 0);
    },
  });
  new Gauge({
    name: 'portal_feeds_file_last_good_load_timestamp_seconds',
    help: 'When the feeds file was last read and applied, or found unchanged (Unix seconds).',
    registers,
    collect() {
      this.set(feedsFile().lastGoodLoadAt / 1000);
    },
  });
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
