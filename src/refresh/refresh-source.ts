// refreshSource: the one place the ingest stages meet the store, for one source (like Miniflux's
// RefreshFeed). Fetch → digest (parse, filter, hash, sanitize what changed; see digest.ts) → save.
import { createHash } from 'node:crypto';
import type { FetchResult, RefreshReport, SourceErrorKind } from '../core/types.js';
import { getEntryHashes, recordFailure, recordSuccess, saveFetch } from '../store/index.js';
import { logRefresh, type RefreshLogExtra } from './log-refresh.js';
import type { Pacing } from './pacer.js';
import { nextPollAfterFailure, nextPollAfterSuccess, retryAfterUntil } from './schedule.js';
import type { DigestDeps, RefreshDeps, RefreshSource } from './types.js';
import { messageOf } from '../core/errors.js';
import { parseLinkHeader } from '../ingest/parse/index.js';

type FetchOk = Extract<FetchResult, { kind: 'ok' }>;
type FetchNotModified = Extract<FetchResult, { kind: 'not-modified' }>;
type FetchFailed = Extract<FetchResult, { kind: 'error' }>;

/**
 * Per source id, a fingerprint (a hash) of the last body that was parsed and saved (with what shaped its saving:
 * URL, filters, max_entries). Kept in memory by the Refresher: a server that answers 200 with the
 * same bytes then costs what a 304 costs.
 */
export type BodyFingerprints = Map<string, string>;

/** No pacing: fetch and work run as soon as asked (a single refresh). */
const UNPACED: Pacing = { fetch: (run) => run(), work: (run) => run() };

/** A report plus what only the log line needs. */
interface Attempt {
  report: RefreshReport;
  log: RefreshLogExtra;
}

/**
 * Refreshes one source and records the outcome on its row. Never throws: every failure, even an
 * unexpected one, comes back as a report with outcome 'error' (or 'gone'). `pacing` (from a pass)
 * decides when the fetch may start and when its answer may be worked on.
 */
export async function refreshSource(
  deps: RefreshDeps,
  source: RefreshSource,
  fingerprints?: BodyFingerprints,
  pacing: Pacing = UNPACED,
): Promise<RefreshReport> {
  const started = performance.now();
  let attempt: Attempt;
  try {
    attempt = await attemptRefresh(deps, source, fingerprints, pacing);
  } catch (error) {
    attempt = await recordUnexpected(deps, source, error);
  }
  attempt.report.ms = Math.round(performance.now() - started);
  logRefresh(deps.log, source, attempt.report, attempt.log);
  return attempt.report;
}

/**
 * Stores a body a WebSub hub pushed for the source: the same digest and save as a polled body
 * (parse, filters, sanitizing, retention), recorded as a success, its next poll left as it was.
 * Never throws, like refreshSource.
 */
export async function storePushedFeed(deps: DigestDeps, source: RefreshSource, push: { body: string; feedUrl: string }): Promise<RefreshReport> {
  const started = performance.now();
  const pushed: FetchOk = { kind: 'ok', status: 200, body: push.body, finalUrl: push.feedUrl, bytes: push.body.length, durationMs: 0 };
  // A push says nothing of where the feed lives: a permanent redirect a poll saw stays shown.
  if (source.row.moved_to !== null) pushed.permanentRedirectTo = source.row.moved_to;
  let attempt: Attempt;
  try {
    attempt = await onFeed(deps, source, pushed, { keepNextPoll: true });
  } catch (error) {
    attempt = await recordUnexpected(deps, source, error);
  }
  attempt.report.ms = Math.round(performance.now() - started);
  logRefresh(deps.log, source, attempt.report, { ...attempt.log, pushed: true });
  return attempt.report;
}

async function attemptRefresh(deps: RefreshDeps, source: RefreshSource, fingerprints: BodyFingerprints | undefined, pacing: Pacing): Promise<Attempt> {
  const url = source.row.feed_url;
  if (url === null) return { report: emptyReport(source, 'skipped'), log: {} };
  const validators = { etag: source.row.etag ?? undefined, lastModified: source.row.last_modified ?? undefined };
  const result = await pacing.fetch(() => deps.fetchFeed(url, validators, { ...deps.fetchOptions, now: deps.now }));
  return pacing.work(() => onFetched(deps, source, result, fingerprints));
}

/** Everything after the fetch: CPU and store work. */
function onFetched(deps: RefreshDeps, source: RefreshSource, result: FetchResult, fingerprints: BodyFingerprints | undefined): Promise<Attempt> {
  if (result.kind === 'not-modified') return onNotModified(deps, source, result);
  if (result.kind === 'ok') return fingerprints ? onFeedRemembered(deps, source, result, fingerprints) : onFeed(deps, source, result);
  return onFetchFailed(deps, source, result);
}

/** 304: the source's row is updated, nothing else; no parse, no entry write, no stream change. */
async function onNotModified(deps: RefreshDeps, source: RefreshSource, result: FetchNotModified): Promise<Attempt> {
  await recordAnswerOnly(deps, source, result);
  return { report: withMove({ ...emptyReport(source, 'not-modified'), status: 304 }, result.permanentRedirectTo), log: {} };
}

/** The source answered with nothing new to store: only its row's state (validators, schedule) changes. */
async function recordAnswerOnly(deps: RefreshDeps, source: RefreshSource, result: FetchNotModified | FetchOk): Promise<void> {
  await recordSuccess(deps.db, source.row.id, { ...answeredState(source, result, deps.now()), ...pollerOf(deps) });
}

/** The source's state after any answer: validators, status, timing, the next poll and a move. */
function answeredState(source: RefreshSource, result: FetchNotModified | FetchOk, now: number) {
  return {
    now,
    durationMs: result.durationMs,
    nextPollAt: nextPollAfterSuccess(now, source.config.pollMinutes),
    status: result.status,
    etag: result.etag,
    lastModified: result.lastModified,
    movedTo: result.permanentRedirectTo,
  };
}

/** The process that polled, recorded on the row (and its claim released with the same write). */
function pollerOf(deps: DigestDeps): { owner?: string } {
  return deps.claims ? { owner: deps.claims.owner } : {};
}

/** A body identical to the last one saved skips parse, filter, hash and write: only the row's state is recorded. */
async function onFeedRemembered(deps: RefreshDeps, source: RefreshSource, result: FetchOk, fingerprints: BodyFingerprints): Promise<Attempt> {
  const id = source.row.id;
  const fingerprint = bodyFingerprint(source, result);
  if (fingerprints.get(id) === fingerprint) return onSameBody(deps, source, result);
  fingerprints.delete(id);
  const attempt = await onFeed(deps, source, result);
  if (attempt.report.outcome === 'updated' || attempt.report.outcome === 'unchanged') fingerprints.set(id, fingerprint);
  return attempt;
}

function bodyFingerprint(source: RefreshSource, result: FetchOk): string {
  const shaping = [result.finalUrl, source.config.include ?? [], source.config.exclude ?? [], source.config.maxEntries ?? source.defaultMaxEntries];
  return createHash('sha256').update(JSON.stringify(shaping)).update(result.body).digest('base64url');
}

async function onSameBody(deps: RefreshDeps, source: RefreshSource, result: FetchOk): Promise<Attempt> {
  await recordAnswerOnly(deps, source, result);
  const report = { ...emptyReport(source, 'unchanged'), status: result.status };
  return { report: withMove(report, result.permanentRedirectTo), log: {} };
}

async function onFeed(deps: DigestDeps, source: RefreshSource, result: FetchOk, how: { keepNextPoll?: boolean } = {}): Promise<Attempt> {
  const now = deps.now();
  const maxEntries = source.config.maxEntries ?? source.defaultMaxEntries;
  const digest = await deps.digest({
    body: result.body,
    feedUrl: result.finalUrl,
    now,
    include: source.config.include ?? [],
    exclude: source.config.exclude ?? [],
    maxEntries,
    storedHashes: await getEntryHashes(deps.db, source.row.id),
  });
  // A feed that could not be read, or whose reading ran over a budget, fails like a fetch that failed.
  if (digest.kind !== 'feed') {
    const { status, durationMs, permanentRedirectTo: movedTo } = result;
    const errorKind = digest.kind === 'refused' ? 'too-complex' : 'parse';
    return recordFailed(deps, source, { now, status, error: digest.message, errorKind, durationMs, movedTo });
  }
  const answered = answeredState(source, result, now);
  const saved = await saveFetch(deps.db, source.row.id, digest.changed, {
    ...answered,
    ...(how.keepNextPoll ? { nextPollAt: source.row.next_poll_at } : {}),
    ...pollerOf(deps),
    feed: digest.feed,
    maxEntries,
  });
  noticeHub(deps, source, result, digest.webSub);
  const outcome = saved.added + saved.updated > 0 ? 'updated' : 'unchanged';
  const report = { ...emptyReport(source, outcome), status: result.status, added: saved.added, updated: saved.updated };
  return { report: withMove(report, result.permanentRedirectTo), log: { removed: saved.removed } };
}

/** The hub of a Link header first, as WebSub asks, else the one the body names. */
function noticeHub(deps: DigestDeps, source: RefreshSource, result: FetchOk, inBody: { hub?: string; self?: string }): void {
  if (!deps.onHubFound) return;
  const header = parseLinkHeader(result.link, result.finalUrl);
  const links = header.hub !== undefined ? header : inBody;
  if (links.hub === undefined) return;
  deps.onHubFound(source, { hub: links.hub, topic: links.self ?? result.finalUrl });
}

async function onFetchFailed(deps: RefreshDeps, source: RefreshSource, result: FetchFailed): Promise<Attempt> {
  const failure = {
    now: deps.now(),
    status: result.status,
    error: result.message,
    errorKind: result.code,
    durationMs: result.durationMs,
    movedTo: result.permanentRedirectTo,
  };
  if (result.code === 'gone') return recordGone(deps, source, failure);
  return recordFailed(deps, source, { ...failure, retryAfterMs: result.retryAfterMs });
}

interface Failure {
  now: number;
  status?: number;
  /** The full message: the log and `npm run poll` show it, the public status pages only `errorKind`. */
  error: string;
  errorKind: SourceErrorKind;
  durationMs: number;
  movedTo?: string;
  retryAfterMs?: number;
}

/**
 * A failed fetch or parse: error count up, next poll after the backoff (or the server's Retry-After).
 * The server's own pause is recorded apart: an operator's poll honours it, not the backoff.
 */
async function recordFailed(deps: DigestDeps, source: RefreshSource, failure: Failure): Promise<Attempt> {
  const errorCount = source.row.error_count + 1;
  const nextPollAt = nextPollAfterFailure(failure.now, errorCount, failure.retryAfterMs);
  await recordFailure(deps.db, source.row.id, { ...failure, ...pollerOf(deps), nextPollAt, retryAfterUntil: retryAfterUntil(failure.now, failure.retryAfterMs) });
  const report = { ...emptyReport(source, 'error'), status: failure.status, error: failure.error, errorKind: failure.errorKind };
  return { report: withMove(report, failure.movedTo), log: { nextPollAt, errorCount } };
}

/** 410: the source is stopped until the operator changes its feed URL (syncSources clears the stop). */
async function recordGone(deps: RefreshDeps, source: RefreshSource, failure: Failure): Promise<Attempt> {
  await recordFailure(deps.db, source.row.id, { ...failure, ...pollerOf(deps), nextPollAt: null, gone: true });
  const report = { ...emptyReport(source, 'gone'), status: failure.status, error: failure.error, errorKind: failure.errorKind };
  return { report: withMove(report, failure.movedTo), log: {} };
}

/** A bug or a store failure: recorded like any failure when the store still answers, logged with its stack. */
async function recordUnexpected(deps: DigestDeps, source: RefreshSource, error: unknown): Promise<Attempt> {
  const message = describeError(error);
  try {
    const attempt = await recordFailed(deps, source, { now: deps.now(), error: message, errorKind: 'internal', durationMs: 0 });
    return { ...attempt, log: { ...attempt.log, unexpected: error } };
  } catch (recordError) {
    return { report: { ...emptyReport(source, 'error'), error: message, errorKind: 'internal' }, log: { unexpected: error, recordError } };
  }
}

function describeError(error: unknown): string {
  const text = messageOf(error);
  // Keep a stage prefix ("store: ...") when the error has one.
  return /^[a-z][\w-]*: /.test(text) ? text : `refresh: ${text}`;
}

function emptyReport(source: RefreshSource, outcome: RefreshReport['outcome']): RefreshReport {
  return { sourceId: source.row.id, outcome, added: 0, updated: 0, ms: 0 };
}

function withMove(report: RefreshReport, movedTo: string | undefined): RefreshReport {
  return movedTo === undefined ? report : { ...report, movedTo };
}
