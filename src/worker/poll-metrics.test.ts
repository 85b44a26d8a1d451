import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshStore, makeEntry, makeSource } from '../../test/helpers/store.js';
import { finishPollRun, recordFailure, saveFetch, startPollRun, syncSources, type OpenedStore } from '../store/index.js';
import { createPollMetrics } from './poll-metrics.js';

const NOW = Date.UTC(2026, 5, 1, 12);
let store: OpenedStore;

beforeEach(async () => {
  store = await freshStore();
  await syncSources(store.db, [makeSource('alpha'), makeSource('beta'), makeSource('links', { feed: undefined })], NOW);
});
afterEach(async () => {
  await store.close();
});

async function pass(trigger: string, added: number, updated: number): Promise<void> {
  const id = await startPollRun(store.db, trigger, NOW);
  await finishPollRun(store.db, id, NOW + 1000, { sourcesDue: 2, fetched: 2, notModified: 0, errors: 0, entriesAdded: added, entriesUpdated: updated });
}

async function scrape(feedsFile?: () => { lastGoodLoadAt: number; refused: unknown }): Promise<string> {
  const registry = new Registry();
  createPollMetrics({ registry, db: store.db, now: () => NOW, version: '9.8.7', feedsFile });
  return registry.metrics();
}

describe('the poller metrics read from the store', () => {
  it("count every process's passes and entries, npm run poll's included, by trigger", async () => {
    await pass('schedule', 5, 1);
    await pass('schedule', 2, 0);
    await pass('cli', 7, 3);
    const text = await scrape();
    expect(text).toContain('portal_poll_passes_total{trigger="cli"} 1');
    expect(text).toContain('portal_poll_passes_total{trigger="schedule"} 2');
    expect(text).toContain('portal_entries_added_total{trigger="cli"} 7');
    expect(text).toContain('portal_entries_added_total{trigger="schedule"} 7');
    expect(text).toContain('portal_entries_updated_total{trigger="schedule"} 1');
  });

  it('give each source with a feed its consecutive errors and last success, and count the stored entries', async () => {
    await saveFetch(store.db, 'alpha', [makeEntry('a1'), makeEntry('a2')], { now: NOW, durationMs: 5, nextPollAt: null, status: 200, maxEntries: 200 });
    for (const at of [NOW + 1, NOW + 2]) {
      await recordFailure(store.db, 'beta', { now: at, error: 'fetch: timed out', errorKind: 'timeout', durationMs: 1, nextPollAt: NOW + 60_000 });
    }
    const text = await scrape();
    expect(text).toContain('portal_source_consecutive_errors{source="alpha"} 0');
    expect(text).toContain('portal_source_consecutive_errors{source="beta"} 2');
    expect(text).toContain(`portal_source_last_success_timestamp_seconds{source="alpha"} ${NOW / 1000}`);
    expect(text).toContain('portal_source_last_success_timestamp_seconds{source="beta"} 0');
    expect(text).not.toContain('source="links"');
    expect(text).toContain('portal_entries_stored 2');
  });

  it('say which version runs, and whether the feeds file is refused', async () => {
    let refused: unknown = null;
    const feedsFile = () => ({ lastGoodLoadAt: NOW, refused });
    expect(await scrape(feedsFile)).toContain('portal_feeds_file_refused 0');
    refused = { at: NOW, issues: ['feeds.yaml:3:1: bad'] };
    const text = await scrape(feedsFile);
    expect(text).toContain('portal_feeds_file_refused 1');
    expect(text).toContain(`portal_feeds_file_last_good_load_timestamp_seconds ${NOW / 1000}`);
    expect(text).toContain(`portal_build_info{version="9.8.7",node="${process.version}"} 1`);
  });
});
