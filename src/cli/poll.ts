// `npm run poll`: one pass over every due source, then exit 0. A table (or, with --json, one JSON
// array) on standard output; logs and progress on standard error.
import type { FeedsConfig, RefreshReport } from '../core/types.js';
import { databaseLabel, formatIssue, loadFeedsFile, readSettings, SettingsError, type Env, type Settings } from '../config/index.js';
import { createNetworkGuard } from '../ingest/index.js';
import { createLogger } from '../log.js';
import { DigestPool, Refresher, defaultDigestWorkers, dueSources, productionRefreshDeps, userAgent } from '../refresh/index.js';
import { listGoneSources, openMigratedStore, storeTargetOf, syncSources, type OpenedStore } from '../store/index.js';

export interface PollIo {
  env: Env;
  /** Each call writes text as given (lines carry their own newline). */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard output is a terminal: show "12/40 sources done" on standard error while polling. */
  isTTY?: boolean;
  /** The portal's version, for the User-Agent. */
  version: string;
}

/** What `--json` prints for each source. */
export interface PollRow {
  id: string;
  outcome: RefreshReport['outcome'];
  status: number | null;
  new: number;
  updated: number;
  ms: number;
  error?: string;
  moved_to?: string;
}

const USAGE = 'usage: poll [--json]\n';

/** Runs the command; resolves to the exit code (0 after a pass, whatever the sources did; 1 when it cannot start). */
export async function runPoll(args: readonly string[], io: PollIo): Promise<number> {
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length > 0) {
    io.stderr(`poll: unknown argument ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  const json = args.includes('--json');
  const setup = await prepare(io);
  if (!setup.ok) return 1;
  const { settings, config, store } = setup;
  const progress = new ProgressLine(io.stderr, io.isTTY === true && !json);
  try {
    const reports = await pollOnce(settings, config, store, io.version, progress);
    progress.clear();
    io.stdout(json ? `${JSON.stringify(reports.map(toRow))}\n` : formatTable(reports));
    return 0;
  } finally {
    progress.clear();
    await store.close();
  }
}

type Prepared = { ok: true; settings: Settings; config: FeedsConfig; store: OpenedStore } | { ok: false };

/** Settings, the feeds file and the store, or a clear message on standard error. */
async function prepare(io: PollIo): Promise<Prepared> {
  let settings: Settings;
  try {
    settings = readSettings(io.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr(`${error.message}\n`);
    return { ok: false };
  }
  const loaded = await loadFeedsFile(settings.feedsFile);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.stderr(`${formatIssue(issue)}\n`);
    return { ok: false };
  }
  try {
    return { ok: true, settings, config: loaded.config, store: await openMigratedStore(storeTargetOf(settings)) };
  } catch (error) {
    io.stderr(`poll: cannot open the database ${databaseLabel(settings)}: ${error instanceof Error ? error.message : String(error)}\n`);
    return { ok: false };
  }
}

async function pollOnce(settings: Settings, config: FeedsConfig, store: OpenedStore, version: string, progress: ProgressLine) {
  // Logs go above the progress line, never through it.
  const log = createLogger({ level: settings.logLevel, destination: { write: (line: string) => progress.above(line) } });
  const agent = userAgent(version, settings.siteUrl ?? config.site.url);
  // The same pool as the server's: digests off the main thread, each within its time and memory budget.
  const digests = new DigestPool({ size: defaultDigestWorkers(), log });
  const guard = createNetworkGuard({ namedSources: () => config.sources, allowPrivateNetworks: settings.allowPrivateNetworks });
  const refresher = new Refresher(productionRefreshDeps(store.db, log, { timeoutMs: settings.fetchTimeoutMs, userAgent: agent, guard }, digests));
  await syncSources(store.db, config.sources, Date.now());
  // The operator asked for a poll now: backoff and poll_minutes are the scheduler's business.
  const sources = await dueSources(store.db, config, Date.now(), { ignoreSchedule: true });
  progress.show(`0/${sources.length} sources done`);
  const result = await refresher
    .refreshAll(sources, { trigger: 'cli', onProgress: (done, total) => progress.show(`${done}/${total} sources done`) })
    .finally(() => Promise.all([digests.close(), guard.close()]));
  const polled = new Set(result.reports.map((r) => r.sourceId));
  return [...result.reports, ...(await goneReports(store, polled))];
}

/** A 410 stopped these before this pass: they get a line saying so, and no request. */
async function goneReports(store: OpenedStore, polled: ReadonlySet<string>): Promise<RefreshReport[]> {
  const stopped = (await listGoneSources(store.db)).filter((row) => !polled.has(row.id));
  return stopped.map((row) => ({
    sourceId: row.id,
    outcome: 'gone',
    ...(row.last_status !== null && { status: row.last_status }),
    added: 0,
    updated: 0,
    ms: 0,
    error: 'not polled since it answered 410 Gone: change its feed URL in the feeds file to poll it again',
  }));
}

export function toRow(report: RefreshReport): PollRow {
  const row: PollRow = {
    id: report.sourceId,
    outcome: report.outcome,
    status: report.status ?? null,
    new: report.added,
    updated: report.updated,
    ms: report.ms,
  };
  if (report.error !== undefined) row.error = report.error;
  if (report.movedTo !== undefined) row.moved_to = report.movedTo;
  return row;
}

const HEADERS = ['id', 'outcome', 'status', 'new', 'updated', 'ms'] as const;
/** Numbers read best right-aligned. */
const RIGHT_ALIGNED = new Set<string>(['status', 'new', 'updated', 'ms']);

/** An aligned table, a note column for errors and moves, then a summary line. */
export function formatTable(reports: readonly RefreshReport[]): string {
  if (reports.length === 0) return 'No sources due.\n';
  const rows = reports.map((r) => [r.sourceId, r.outcome, r.status === undefined ? '-' : String(r.status), String(r.added), String(r.updated), String(r.ms)]);
  const widths = HEADERS.map((h, col) => Math.max(h.length, ...rows.map((row) => (row[col] ?? '').length)));
  const cell = (text: string, col: number) => {
    const width = widths[col] ?? 0;
    return RIGHT_ALIGNED.has(HEADERS[col] ?? '') ? text.padStart(width) : text.padEnd(width);
  };
  const line = (cells: readonly string[], note = '') => `${[...cells.map(cell), note].join('  ').trimEnd()}\n`;
  const body = rows.map((cells, i) => line(cells, noteOf(reports[i] as RefreshReport)));
  return [line(HEADERS), ...body, summarize(reports)].join('');
}

function noteOf(report: RefreshReport): string {
  const notes = [report.error, report.movedTo === undefined ? undefined : `moved to ${report.movedTo}: update the feeds file`];
  return notes.filter((n) => n !== undefined).join('; ');
}

/** "5 sources: 2 updated, 1 unchanged, 1 not modified, 1 error; 7 new entries, 1 updated." */
export function summarize(reports: readonly RefreshReport[]): string {
  const count = (outcome: RefreshReport['outcome']) => reports.filter((r) => r.outcome === outcome).length;
  const parts = [
    [count('updated'), 'updated'],
    [count('unchanged'), 'unchanged'],
    [count('not-modified'), 'not modified'],
    [count('error'), count('error') === 1 ? 'error' : 'errors'],
    [count('gone'), 'gone'],
    [count('skipped'), 'skipped'],
  ] as const;
  const outcomes = parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
  const added = reports.reduce((sum, r) => sum + r.added, 0);
  const updated = reports.reduce((sum, r) => sum + r.updated, 0);
  const noun = reports.length === 1 ? 'source' : 'sources';
  return `${reports.length} ${noun}: ${outcomes.join(', ')}; ${added} new ${added === 1 ? 'entry' : 'entries'}, ${updated} updated.\n`;
}

/** One progress line on a terminal's standard error, redrawn in place; other lines print above it. */
class ProgressLine {
  private text = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  show(text: string): void {
    if (!this.enabled) return;
    this.text = text;
    this.write(`\r\x1b[K${text}`);
  }

  /** Writes a whole line (a log line) above the progress line. */
  above(line: string): void {
    if (!this.text) return this.write(line);
    this.write(`\r\x1b[K${line}${this.text}`);
  }

  clear(): void {
    if (!this.text) return;
    this.text = '';
    this.write('\r\x1b[K');
  }
}
