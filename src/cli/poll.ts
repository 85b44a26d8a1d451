// `npm run poll`: one pass over every due source, then exit 0. A table (or, with --json, one JSON
// array) on standard output; logs and progress on standard error. The portal's own backoff holds
// no source back, but what a server asked for does (a Retry-After pause, a 410 Gone) unless --force.
import type { FeedsConfig, RefreshOutcome, RefreshReport } from '../core/types.js';
import { databaseLabel, formatIssue, loadFeedsFile, readSettings, SettingsError, type Env, type Settings } from '../config/index.js';
import { createLogger } from '../log.js';
import { claimSettings, dueSources, processIdentity, releaseClaimsOfDeadProcesses, startProductionRefresher, userAgent } from '../refresh/index.js';
import { listGoneSources, listPausedSources, openMigratedStore, storeTargetOf, syncSources, type OpenedStore, type SourceRow } from '../store/index.js';
import { messageOf } from '../core/errors.js';

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

/**
 * One line of the output: a source's refresh, or a source not fetched because its server asked
 * for a pause ('paused', until when) or said 410 Gone ('gone').
 */
export interface PollReport extends Omit<RefreshReport, 'outcome'> {
  outcome: RefreshOutcome | 'paused';
  /** For 'paused': the end of the pause the server asked for, in ms. */
  until?: number;
}

/** What `--json` prints for each source. */
export interface PollRow {
  id: string;
  outcome: PollReport['outcome'];
  status: number | null;
  new: number;
  updated: number;
  ms: number;
  error?: string;
  moved_to?: string;
  /** For 'paused': the end of the pause, as an ISO 8601 time. */
  until?: string;
}

const USAGE = 'usage: poll [--json] [--force]\n';
const FLAGS = new Set(['--json', '--force']);

/** Runs the command; resolves to the exit code (0 after a pass, whatever the sources did; 1 when it cannot start). */
export async function runPoll(args: readonly string[], io: PollIo): Promise<number> {
  const unknown = args.filter((a) => !FLAGS.has(a));
  if (unknown.length > 0) {
    io.stderr(`poll: unknown argument ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  const json = args.includes('--json');
  const force = args.includes('--force');
  const setup = await prepare(io);
  if (!setup.ok) return 1;
  const { settings, config, store } = setup;
  const progress = new ProgressLine(io.stderr, io.isTTY === true && !json);
  try {
    const reports = await pollOnce({ settings, config, store, version: io.version, force }, progress);
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
    io.stderr(`poll: cannot open the database ${databaseLabel(settings)}: ${messageOf(error)}\n`);
    return { ok: false };
  }
}

interface PollRequest {
  settings: Settings;
  config: FeedsConfig;
  store: OpenedStore;
  version: string;
  /** Fetch even the sources whose server asked for a pause or said 410 Gone. */
  force: boolean;
}

async function pollOnce({ settings, config, store, version, force }: PollRequest, progress: ProgressLine): Promise<PollReport[]> {
  // Logs go above the progress line, never through it.
  const log = createLogger({ level: settings.logLevel, destination: { write: (line: string) => progress.above(line) } });
  const agent = userAgent(version, settings.siteUrl ?? config.site.url);
  // Wired as the server's: the network guard, digests off the main thread within their budgets.
  const { refresher, close } = startProductionRefresher({
    db: store.db,
    log,
    timeoutMs: settings.fetchTimeoutMs,
    userAgent: agent,
    namedSources: () => config.sources,
    allowPrivateNetworks: settings.allowPrivateNetworks,
    // A source a worker (or another poll) is fetching right now is reported 'taken', not fetched twice.
    claims: claimSettings(processIdentity('poll'), settings.fetchTimeoutMs),
  });
  const now = Date.now();
  await syncSources(store.db, config.sources, now);
  await releaseClaimsOfDeadProcesses(store.db, log, now);
  // The operator asked for a poll now: backoff and poll_minutes are the scheduler's business, but
  // a server's own request (Retry-After, 410) is honoured unless forced.
  const sources = await dueSources(store.db, config, now, { ignoreSchedule: true, ignoreServerPause: force });
  const heldBack = force ? [] : await heldBackReports(store, now);
  progress.show(`0/${sources.length} sources done`);
  try {
    const result = await refresher.refreshAll(sources, { trigger: 'cli', onProgress: (done, total) => progress.show(`${done}/${total} sources done`) });
    // The icons the pass looks for after it are part of the command's work: it waits for them.
    await refresher.settled();
    return [...result.reports, ...heldBack];
  } finally {
    await close();
  }
}

/** The sources this pass leaves alone because their server asked: a line each, saying why and until when. */
async function heldBackReports(store: OpenedStore, now: number): Promise<PollReport[]> {
  const gone = (await listGoneSources(store.db)).map((row) => ({
    ...notPolled(row, 'gone'),
    error: 'not polled since it answered 410 Gone: change its feed URL in the feeds file to poll it again (or poll with --force)',
  }));
  const paused = (await listPausedSources(store.db, now)).map((row) => {
    const until = row.retry_after_until ?? now; // never null: listPausedSources lists only paused sources
    const error = `not polled: its server asked for a pause (Retry-After) until ${new Date(until).toISOString()}; --force polls it anyway`;
    return { ...notPolled(row, 'paused'), until, error };
  });
  return [...gone, ...paused];
}

function notPolled(row: SourceRow, outcome: 'gone' | 'paused'): PollReport {
  return { sourceId: row.id, outcome, ...(row.last_status !== null && { status: row.last_status }), added: 0, updated: 0, ms: 0 };
}

export function toRow(report: PollReport): PollRow {
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
  if (report.until !== undefined) row.until = new Date(report.until).toISOString();
  return row;
}

const HEADERS = ['id', 'outcome', 'status', 'new', 'updated', 'ms'] as const;
/** Numbers read best right-aligned. */
const RIGHT_ALIGNED = new Set<string>(['status', 'new', 'updated', 'ms']);

/** An aligned table, a note column for errors and moves, then a summary line. */
export function formatTable(reports: readonly PollReport[]): string {
  if (reports.length === 0) return 'No sources due.\n';
  const rows = reports.map((r) => [r.sourceId, r.outcome, r.status === undefined ? '-' : String(r.status), String(r.added), String(r.updated), String(r.ms)]);
  const widths = HEADERS.map((h, col) => Math.max(h.length, ...rows.map((row) => (row[col] ?? '').length)));
  const cell = (text: string, col: number) => {
    const width = widths[col] ?? 0;
    return RIGHT_ALIGNED.has(HEADERS[col] ?? '') ? text.padStart(width) : text.padEnd(width);
  };
  const line = (cells: readonly string[], note = '') => `${[...cells.map(cell), note].join('  ').trimEnd()}\n`;
  const body = rows.map((cells, i) => line(cells, noteOf(reports[i] as PollReport)));
  return [line(HEADERS), ...body, summarize(reports)].join('');
}

function noteOf(report: PollReport): string {
  const taken = report.outcome === 'taken' ? 'another process is fetching it, or fetched it during this pass: left to it' : undefined;
  const notes = [taken, report.error, report.movedTo === undefined ? undefined : `moved to ${report.movedTo}: update the feeds file`];
  return notes.filter((n) => n !== undefined).join('; ');
}

/** "5 sources: 2 updated, 1 unchanged, 1 not modified, 1 error; 7 new entries, 1 updated." */
export function summarize(reports: readonly PollReport[]): string {
  const count = (outcome: PollReport['outcome']) => reports.filter((r) => r.outcome === outcome).length;
  const parts = [
    [count('updated'), 'updated'],
    [count('unchanged'), 'unchanged'],
    [count('not-modified'), 'not modified'],
    [count('error'), count('error') === 1 ? 'error' : 'errors'],
    [count('gone'), 'gone'],
    [count('paused'), 'paused'],
    [count('skipped'), 'skipped'],
    [count('taken'), 'taken by another process'],
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
