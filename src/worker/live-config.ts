// The feeds file, live: reloads on request (file watch, SIGHUP), applies a valid file to the store,
// and refuses an invalid one whole, keeping the last good configuration in force.
import type { Logger } from 'pino';
import { formatIssue, parseFeedsText, readFeedsFile } from '../config/index.js';
import type { FeedsConfig, SourceConfig } from '../core/types.js';
import { syncSources, type Db } from '../store/index.js';

/** What changed between two good configurations, by source id. */
export interface ConfigChange {
  added: string[];
  removed: string[];
  /** Sources whose feed URL changed (their fetch state and backoff were reset). */
  feedChanged: string[];
}

export interface SourceCounts {
  total: number;
  withFeed: number;
  linkOnly: number;
}

/** The live configuration's state, for /status. Times in ms since the epoch. */
export interface ConfigState {
  file: string;
  lastGoodLoadAt: number;
  lastAttemptAt: number;
  /** The last attempt's refusal, or null when the last attempt was applied. */
  refused: { at: number; issues: string[] } | null;
  sources: SourceCounts;
}

export type ReloadOutcome = { applied: true; changed: boolean; change: ConfigChange } | { applied: false; issues: string[] };

export interface LiveConfigDeps {
  file: string;
  /** The configuration the process started with (already synced to the store). */
  initial: FeedsConfig;
  /**
   * The text `initial` was parsed from, when known: a reload that reads the same text applies
   * nothing and is not parsed (1,000 sources are ~300 ms of a web process's event loop).
   */
  initialText?: string;
  db: Db;
  log: Logger;
  now?: () => number;
  /** Called after a changed configuration was applied: drop caches, poll new sources. */
  onApplied?: (change: ConfigChange, config: FeedsConfig) => void;
}

export class LiveConfig {
  private config: FeedsConfig;
  /** The text the configuration in force was parsed from, if known. */
  private appliedText: string | undefined;
  private lastGoodLoadAt: number;
  private lastAttemptAt: number;
  private refused: ConfigState['refused'] = null;
  /** Reloads run one after another, never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: LiveConfigDeps) {
    this.config = deps.initial;
    this.appliedText = deps.initialText;
    this.now = deps.now ?? Date.now;
    this.lastGoodLoadAt = this.now();
    this.lastAttemptAt = this.lastGoodLoadAt;
  }

  /** The configuration in force. */
  current(): FeedsConfig {
    return this.config;
  }

  /** Reads the file again and applies it, or refuses it whole; `reason` is logged ('watch', 'sighup'). */
  reload(reason: string): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.reloadNow(reason));
    this.queue = next.catch(() => undefined);
    return next;
  }

  state(): ConfigState {
    return {
      file: this.deps.file,
      lastGoodLoadAt: this.lastGoodLoadAt,
      lastAttemptAt: this.lastAttemptAt,
      refused: this.refused && { at: this.refused.at, issues: [...this.refused.issues] },
      sources: countSources(this.config.sources),
    };
  }

  /** Resolves once no reload is running (before the database closes). */
  async settled(): Promise<void> {
    await this.queue;
  }

  private async reloadNow(reason: string): Promise<ReloadOutcome> {
    const { log, file } = this.deps;
    this.lastAttemptAt = this.now();
    const read = await readFeedsFile(file);
    if (!read.ok) return this.refuse(reason, read.issues.map(formatIssue));
    // The text in force (a save without changes, an edit undone): nothing to parse or apply.
    const loaded = read.text === this.appliedText ? { ok: true as const, config: this.config, text: read.text } : parseFeedsText(read.text, file);
    if (!loaded.ok) return this.refuse(reason, loaded.issues.map(formatIssue));

    const change = diffConfigs(this.config, loaded.config);
    const changed = !sameConfig(this.config, loaded.config);
    if (changed) {
      try {
        await syncSources(this.deps.db, loaded.config.sources, this.now());
      } catch (error) {
        // The store's own words go to the log; the refusal, shown on the public /status, only says where to look.
        log.error({ reason, file, err: error }, 'feeds file valid, but the database did not take it');
        return this.refuse(reason, [`${file}: not applied: the database did not take it (see the log)`]);
      }
      this.config = loaded.config;
    }
    this.appliedText = loaded.text;
    this.lastGoodLoadAt = this.now();
    if (this.refused) log.info({ reason, file, refused_at: new Date(this.refused.at).toISOString() }, 'feeds file accepted again: the refused edit is fixed');
    this.refused = null;
    if (changed) {
      log.info({ reason, file, sources: loaded.config.sources.length, added: change.added, removed: change.removed, feed_changed: change.feedChanged }, 'feeds file applied');
      try {
        this.deps.onApplied?.(change, loaded.config);
      } catch (err) {
        log.error({ err }, 'feeds file applied, but its follow-up failed');
      }
    } else {
      log.debug({ reason, file }, 'feeds file unchanged');
    }
    return { applied: true, changed, change };
  }

  private refuse(reason: string, issues: string[]): ReloadOutcome {
    this.refused = { at: this.lastAttemptAt, issues };
    // An operator's mistake, not a bug: a warning with the issues, no stack.
    this.deps.log.warn({ reason, file: this.deps.file, issues }, 'feeds file refused: the last good configuration stays in force');
    return { applied: false, issues };
  }
}

export function diffConfigs(before: FeedsConfig, after: FeedsConfig): ConfigChange {
  const old = new Map(before.sources.map((s) => [s.id, s]));
  const next = new Map(after.sources.map((s) => [s.id, s]));
  return {
    added: after.sources.filter((s) => !old.has(s.id)).map((s) => s.id),
    removed: before.sources.filter((s) => !next.has(s.id)).map((s) => s.id),
    feedChanged: after.sources.filter((s) => old.has(s.id) && old.get(s.id)?.feed !== s.feed).map((s) => s.id),
  };
}

function sameConfig(a: FeedsConfig, b: FeedsConfig): boolean {
  // The text in force comes back as the configuration in force itself: no need to serialize 1,000 sources twice.
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export function countSources(sources: readonly SourceConfig[]): SourceCounts {
  const withFeed = sources.filter((s) => s.feed !== undefined).length;
  return { total: sources.length, withFeed, linkOnly: sources.length - withFeed };
}
