// The facts /status and /status.json show: every active source's health, the feeds file's live
// state and the last poll pass. Read fresh from the store on each request (never cached). Both
// pages are public: no filesystem path and no raw error text reaches them (the log has those).
import { basename, resolve } from 'node:path';
import type { Db, PollRunRow, SourceRow } from '../store/index.js';
import { countFeedback, latestPollRun, listActiveSources, listSubscriptionSummaries, pollRunColumns, type SubscriptionSummary, type WebSubState } from '../store/index.js';
import { errorWords, shownErrorKind, type ShownErrorKind } from './error-words.js';

/**
 * The feeds file's live state, as the worker's LiveConfig reports it. Times in ms since the epoch.
 * The report keeps only the file's base name, in `file` and in the refused edit's issues.
 */
export interface ConfigStatus {
  file: string;
  lastGoodLoadAt: number;
  lastAttemptAt: number;
  refused: { at: number; issues: string[] } | null;
  sources: { total: number; withFeed: number; linkOnly: number };
}

/** What only the running process knows; main.ts passes a function returning it. */
export interface RuntimeStatus {
  config?: ConfigStatus;
  /** The cron expression in force, or 'off'. */
  pollSchedule?: string;
  /** True while a poll pass runs. */
  passRunning?: boolean;
  /** A web process: it never polls, so it knows neither the schedule nor whether a pass runs. */
  pollsElsewhere?: boolean;
}

/**
 * How a source is doing: 'ok' (its last attempt worked), 'failing' (consecutive errors; see
 * backoff), 'gone' (a 410 stopped it), 'pending' (never polled yet), 'link-only' (never polled).
 */
export type SourceState = 'ok' | 'failing' | 'gone' | 'pending' | 'link-only';

export interface SourceStatus {
  id: string;
  title: string;
  category: string;
  siteUrl: string;
  feedUrl: string | null;
  state: SourceState;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastStatus: number | null;
  /** The process that polled it last (`hostname:pid:role`), where several share the database; null before the first poll. */
  lastPolledBy: string | null;
  /** Why the last attempt failed, as a machine word; null when it did not. */
  errorKind: ShownErrorKind | null;
  /** The same in a few words ("Timed out", "HTTP 503"); never the full message. */
  errorWords: string | null;
  lastDurationMs: number | null;
  errorCount: number;
  backoffUntil: number | null;
  inBackoff: boolean;
  /** Null: at the next pass (or never, for link-only and gone sources: see `state`). */
  nextPollAt: number | null;
  entryCount: number;
  newestEntryAt: number | null;
  movedTo: string | null;
  /** Its WebSub subscription, when it has one: the hub's state of it and when the lease ends. */
  webSub: { state: WebSubState; leaseUntil: number | null } | null;
}

export interface PassStatus {
  id: number;
  trigger: string;
  startedAt: number;
  /** Null while the pass runs (or when the process died during it). */
  finishedAt: number | null;
  sourcesDue: number;
  fetched: number;
  notModified: number;
  errors: number;
  entriesAdded: number;
  entriesUpdated: number;
}

export interface StatusTotals {
  sources: number;
  ok: number;
  failing: number;
  inBackoff: number;
  gone: number;
  pending: number;
  linkOnly: number;
  entries: number;
  /** Feedback responses stored (kept for the retention period): how many, never what they say. */
  feedbackResponses: number;
}

export interface StatusReport {
  generatedAt: number;
  runtime: RuntimeStatus | null;
  lastPass: PassStatus | null;
  totals: StatusTotals;
  sources: SourceStatus[];
}

export async function buildStatusReport(db: Db, now: number, runtime: RuntimeStatus | null): Promise<StatusReport> {
  const [rows, pass, feedbackResponses, subscriptions] = await Promise.all([listActiveSources(db), latestPollRun(db), countFeedback(db), listSubscriptionSummaries(db)]);
  const sources = rows.map((row) => toSourceStatus(row, now, subscriptions.get(row.id)));
  return {
    generatedAt: now,
    runtime: runtime && publicRuntime(runtime),
    lastPass: pass ? toPassStatus(pass) : null,
    totals: { ...totalsOf(sources), feedbackResponses },
    sources,
  };
}

function publicRuntime(runtime: RuntimeStatus): RuntimeStatus {
  return runtime.config ? { ...runtime, config: withoutFolder(runtime.config) } : runtime;
}

/** The feeds file by its base name only: where it lives on the server is no visitor's business. */
function withoutFolder(config: ConfigStatus): ConfigStatus {
  const name = basename(config.file);
  const spellings = [resolve(config.file), config.file].filter((path) => path !== name);
  const rename = (text: string) => spellings.reduce((renamed, path) => renamed.split(path).join(name), text);
  return { ...config, file: name, refused: config.refused && { at: config.refused.at, issues: config.refused.issues.map(rename) } };
}

function toSourceStatus(row: SourceRow, now: number, subscription: SubscriptionSummary | undefined): SourceStatus {
  const inBackoff = row.gone === 0 && row.backoff_until !== null && row.backoff_until > now;
  const errorKind = shownErrorKind(row.last_error_kind, row.last_error !== null);
  return {
    id: row.id,
    title: row.title,
    category: row.category,
    siteUrl: row.site_url,
    feedUrl: row.feed_url,
    state: stateOf(row),
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at,
    lastStatus: row.last_status,
    lastPolledBy: row.last_polled_by,
    errorKind,
    errorWords: errorKind && errorWords(errorKind, row.last_status),
    lastDurationMs: row.last_duration_ms,
    errorCount: row.error_count,
    backoffUntil: row.backoff_until,
    inBackoff,
    nextPollAt: row.feed_url === null || row.gone === 1 ? null : row.next_poll_at,
    entryCount: row.entry_count,
    newestEntryAt: row.newest_entry_at,
    // A permanent redirect that led to a refused private address would show that address: not shown.
    movedTo: errorKind === 'blocked' ? null : row.moved_to,
    webSub: subscription ? { state: subscription.state, leaseUntil: subscription.leaseUntil } : null,
  };
}

function stateOf(row: SourceRow): SourceState {
  if (row.feed_url === null) return 'link-only';
  if (row.gone === 1) return 'gone';
  if (row.last_attempt_at === null) return 'pending';
  return row.error_count > 0 ? 'failing' : 'ok';
}

function toPassStatus(row: PollRunRow): PassStatus {
  return {
    id: row.id,
    trigger: row.trigger,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    sourcesDue: row.sources_due,
    fetched: row.fetched,
    notModified: row.not_modified,
    errors: row.errors,
    entriesAdded: row.entries_added,
    entriesUpdated: row.entries_updated,
  };
}

function totalsOf(sources: readonly SourceStatus[]): Omit<StatusTotals, 'feedbackResponses'> {
  const count = (state: SourceState) => sources.filter((s) => s.state === state).length;
  return {
    sources: sources.length,
    ok: count('ok'),
    failing: count('failing'),
    inBackoff: sources.filter((s) => s.inBackoff).length,
    gone: count('gone'),
    pending: count('pending'),
    linkOnly: count('link-only'),
    entries: sources.reduce((sum, s) => sum + s.entryCount, 0),
  };
}

// ---- /status.json: snake_case keys, ISO times ----

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The report as /status.json serves it: stable snake_case keys, ISO 8601 times, null for "none". */
export function statusJson(report: StatusReport): Record<string, unknown> {
  const { runtime, lastPass, totals } = report;
  return {
    generated_at: iso(report.generatedAt),
    poll_schedule: runtime?.pollSchedule ?? null,
    pass_running: runtime?.passRunning ?? null,
    config: runtime?.config ? configJson(runtime.config) : null,
    last_pass: lastPass && passJson(lastPass),
    totals: {
      sources: totals.sources,
      ok: totals.ok,
      failing: totals.failing,
      in_backoff: totals.inBackoff,
      gone: totals.gone,
      pending: totals.pending,
      link_only: totals.linkOnly,
      entries: totals.entries,
      feedback_responses: totals.feedbackResponses,
    },
    sources: report.sources.map(sourceJson),
  };
}

function configJson(config: ConfigStatus): Record<string, unknown> {
  return {
    file: config.file,
    last_good_load_at: iso(config.lastGoodLoadAt),
    last_attempt_at: iso(config.lastAttemptAt),
    refused: config.refused && { at: iso(config.refused.at), issues: config.refused.issues },
    sources: { total: config.sources.total, with_feed: config.sources.withFeed, link_only: config.sources.linkOnly },
  };
}

function passJson(pass: PassStatus): Record<string, unknown> {
  return {
    id: pass.id,
    trigger: pass.trigger,
    started_at: iso(pass.startedAt),
    finished_at: iso(pass.finishedAt),
    ...pollRunColumns(pass),
  };
}

function sourceJson(source: SourceStatus): Record<string, unknown> {
  return {
    id: source.id,
    title: source.title,
    category: source.category,
    site_url: source.siteUrl,
    feed_url: source.feedUrl,
    state: source.state,
    last_attempt_at: iso(source.lastAttemptAt),
    last_success_at: iso(source.lastSuccessAt),
    last_status: source.lastStatus,
    last_polled_by: source.lastPolledBy,
    // The key consumers read before kinds existed: now the same few words as the page, never the message.
    last_error: source.errorWords,
    error_kind: source.errorKind,
    last_duration_ms: source.lastDurationMs,
    error_count: source.errorCount,
    backoff_until: iso(source.backoffUntil),
    in_backoff: source.inBackoff,
    next_poll_at: iso(source.nextPollAt),
    entry_count: source.entryCount,
    newest_entry_at: iso(source.newestEntryAt),
    moved_to: source.movedTo,
    websub: source.webSub && { state: source.webSub.state, lease_until: iso(source.webSub.leaseUntil) },
  };
}
