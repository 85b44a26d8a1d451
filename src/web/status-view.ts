// The status report as templates/pages/status.hbs shows it: times in the site's zone, words for
// states, and only http(s) URLs as links.
import type { ShownTime } from './views/format.js';
import { safeHref } from './views/format.js';
import type { WebSubState } from '../store/index.js';
import type { ConfigStatus, PassStatus, SourceState, SourceStatus, StatusReport } from './status-report.js';

type FormatTime = (ms: number) => ShownTime;

const STATE_WORDS: Readonly<Record<SourceState, string>> = {
  ok: 'OK',
  failing: 'Failing',
  gone: 'Gone (410): stopped',
  pending: 'Not polled yet',
  'link-only': 'Link only',
};

export interface SourceStatusView {
  id: string;
  title: string;
  path: string;
  feedUrl: string | null;
  feedHref: string | undefined;
  state: SourceState;
  stateWords: string;
  lastAttempt: ShownTime | null;
  lastSuccess: ShownTime | null;
  lastStatus: number | null;
  lastPolledBy: string | null;
  /** "Timed out", "HTTP 503": a few words, never the full message. */
  errorWords: string | null;
  errorCount: number;
  backoffUntil: ShownTime | null;
  nextPoll: ShownTime | null;
  /** What the next-poll cell says when it has no time. */
  nextPollWords: string;
  entryCount: number;
  newestEntry: ShownTime | null;
  movedTo: string | null;
  movedToHref: string | undefined;
  /** "Pushed by its WebSub hub until …", "WebSub subscription pending": none without a hub. */
  webSubWords: string | null;
}

export interface StatusPageData {
  generated: ShownTime;
  pollSchedule: string | null;
  passRunning: boolean;
  pollsElsewhere: boolean;
  config: ConfigView | null;
  lastPass: PassView | null;
  totals: StatusReport['totals'];
  /** True when exactly one feedback response is stored, for the singular. */
  feedbackOne: boolean;
  sources: SourceStatusView[];
}

export interface ConfigView {
  file: string;
  lastGoodLoad: ShownTime;
  lastAttempt: ShownTime;
  refused: { at: ShownTime; issues: string[] } | null;
  sources: ConfigStatus['sources'];
}

export interface PassView extends Omit<PassStatus, 'startedAt' | 'finishedAt'> {
  started: ShownTime;
  finished: ShownTime | null;
}

export function toStatusPage(report: StatusReport, format: FormatTime): StatusPageData {
  const runtime = report.runtime;
  return {
    generated: format(report.generatedAt),
    pollSchedule: runtime?.pollSchedule ?? null,
    passRunning: runtime?.passRunning ?? false,
    pollsElsewhere: runtime?.pollsElsewhere ?? false,
    config: runtime?.config ? toConfigView(runtime.config, format) : null,
    lastPass: report.lastPass && toPassView(report.lastPass, format),
    totals: report.totals,
    feedbackOne: report.totals.feedbackResponses === 1,
    sources: report.sources.map((s) => toSourceView(s, format)),
  };
}

function toConfigView(config: ConfigStatus, format: FormatTime): ConfigView {
  return {
    file: config.file,
    lastGoodLoad: format(config.lastGoodLoadAt),
    lastAttempt: format(config.lastAttemptAt),
    refused: config.refused && { at: format(config.refused.at), issues: config.refused.issues },
    sources: config.sources,
  };
}

function toPassView(pass: PassStatus, format: FormatTime): PassView {
  const { startedAt, finishedAt, ...counts } = pass;
  return { ...counts, started: format(startedAt), finished: finishedAt === null ? null : format(finishedAt) };
}

function toSourceView(source: SourceStatus, format: FormatTime): SourceStatusView {
  const time = (ms: number | null) => (ms === null ? null : format(ms));
  return {
    id: source.id,
    title: source.title,
    path: `/sources/${encodeURIComponent(source.id)}`,
    feedUrl: source.feedUrl,
    feedHref: safeHref(source.feedUrl),
    state: source.state,
    stateWords: STATE_WORDS[source.state],
    lastAttempt: time(source.lastAttemptAt),
    lastSuccess: time(source.lastSuccessAt),
    lastStatus: source.lastStatus,
    lastPolledBy: source.lastPolledBy,
    errorWords: source.errorWords,
    errorCount: source.errorCount,
    backoffUntil: source.inBackoff ? time(source.backoffUntil) : null,
    nextPoll: time(source.nextPollAt),
    nextPollWords: nextPollWords(source.state),
    entryCount: source.entryCount,
    newestEntry: time(source.newestEntryAt),
    movedTo: source.movedTo,
    movedToHref: safeHref(source.movedTo),
    webSubWords: webSubWords(source.webSub, format),
  };
}

const WEBSUB_WORDS: Readonly<Record<WebSubState, string>> = {
  pending: 'WebSub: subscription asked, not yet verified',
  live: 'WebSub: pushed by its hub',
  denied: 'WebSub: its hub denied the subscription',
  unsubscribed: 'WebSub: unsubscribed',
};

function webSubWords(webSub: SourceStatus['webSub'], format: FormatTime): string | null {
  if (!webSub) return null;
  const words = WEBSUB_WORDS[webSub.state];
  return webSub.state === 'live' && webSub.leaseUntil !== null ? `${words} until ${format(webSub.leaseUntil).readable}` : words;
}

function nextPollWords(state: SourceState): string {
  if (state === 'link-only') return 'never (no feed)';
  if (state === 'gone') return 'never, until its feed URL changes';
  return 'at the next pass';
}
