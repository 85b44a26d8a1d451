// What one scheduled pass does: refresh the due sources of the configuration in force. A pass
// triggered by a feeds-file change is targeted: only the sources the change asked to poll.
import type { FeedsConfig, RefreshReport } from '../core/types.js';
import { dueSources, type Refresher } from '../refresh/index.js';
import type { Db } from '../store/index.js';
import type { RunPass } from './scheduler.js';

/** The trigger of a targeted pass (new or re-pointed sources from a feeds-file change). */
export const CONFIG_TRIGGER = 'config';

export interface PollPassesDeps {
  db: Db;
  refresher: Refresher;
  getConfig: () => FeedsConfig;
  now: () => number;
  concurrency?: number;
  /**
   * A pass that added, updated or removed entries has ended: caches of the stream let go. Once per
   * pass, not per source: the pages re-read the stream's version at most once a second on their
   * own (VersionTracker), so during a pass they show new entries within a second without a
   * re-render for every saved feed (a first pass saves dozens a second, each a render per visit).
   */
  onStreamChanged?: () => void;
  /** After each source. */
  onReport?: (report: RefreshReport) => void;
}

export interface PollPasses {
  runPass: RunPass;
  /** Marks sources for the next 'config' pass (request that pass from the scheduler). */
  markForPoll(ids: readonly string[]): void;
}

export function createPollPasses(deps: PollPassesDeps): PollPasses {
  let marked = new Set<string>();

  const runPass: RunPass = async (trigger, signal, dueAt) => {
    const targeted = trigger === CONFIG_TRIGGER;
    // A full pass lists every due source after this point, marked ones included.
    const only = marked;
    marked = new Set();
    if (targeted && only.size === 0) return;
    const due = await dueSources(deps.db, deps.getConfig(), deps.now(), dueAt === undefined ? {} : { dueAt });
    const sources = targeted ? due.filter((s) => only.has(s.row.id)) : due;
    if (targeted && sources.length === 0) return;
    let changed = false;
    try {
      await deps.refresher.refreshAll(sources, {
        trigger,
        signal,
        ...(deps.concurrency !== undefined && { concurrency: deps.concurrency }),
        onStreamChanged: () => (changed = true),
        onProgress: (_done, _total, report) => deps.onReport?.(report),
      });
    } finally {
      if (changed) deps.onStreamChanged?.();
    }
  };

  return {
    runPass,
    markForPoll(ids) {
      for (const id of ids) marked.add(id);
    },
  };
}
