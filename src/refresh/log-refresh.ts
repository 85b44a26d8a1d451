// The one log line per refreshed source, with stable snake_case keys.
import type { Logger } from 'pino';
import type { RefreshReport } from '../core/types.js';
import type { RefreshSource } from './types.js';

/** What the line says beyond the report. */
export interface RefreshLogExtra {
  removed?: number;
  errorCount?: number;
  nextPollAt?: number;
  /** A bug or store failure: logged with its stack, unlike expected failures (timeouts, 404s). */
  unexpected?: unknown;
  recordError?: unknown;
  /** The body came from a WebSub hub's push, not a poll. */
  pushed?: boolean;
}

export function logRefresh(log: Logger, source: RefreshSource, report: RefreshReport, extra: RefreshLogExtra): void {
  const fields = {
    source_id: report.sourceId,
    feed_url: source.row.feed_url,
    outcome: report.outcome,
    status: report.status,
    added: report.added,
    updated: report.updated,
    ms: report.ms,
    ...definedFields(report, extra),
  };
  if (extra.unexpected !== undefined) {
    log.error({ ...fields, err: extra.unexpected, record_err: extra.recordError }, 'refresh failed unexpectedly');
  } else if (report.outcome === 'gone') {
    log.warn(fields, 'feed is gone (410): not polled again until its URL changes in the feeds file');
  } else if (report.movedTo !== undefined) {
    log.warn(fields, 'feed moved permanently: put the new URL (moved_to) in the feeds file');
  } else if (report.outcome === 'error') {
    log.warn(fields, 'refresh failed');
  } else {
    log.info(fields, 'refreshed');
  }
}

function definedFields(report: RefreshReport, extra: RefreshLogExtra): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    error: report.error,
    error_kind: report.errorKind,
    moved_to: report.movedTo,
    removed: extra.removed || undefined,
    pushed: extra.pushed || undefined,
    error_count: extra.errorCount,
    next_poll_at: extra.nextPollAt === undefined ? undefined : new Date(extra.nextPollAt).toISOString(),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
