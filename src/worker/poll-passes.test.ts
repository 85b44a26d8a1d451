import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedsConfig, RefreshReport, SourceConfig } from '../core/types.js';
import { fetchFeed } from '../ingest/index.js';
import { Refresher, digestFeed } from '../refresh/index.js';
import { getSource, recordFailure, syncSources, type OpenedStore } from '../store/index.js';
import { fixture, plainFeed, startFeedServer, statusRoute, type FeedServer } from '../../test/fixtures/refresh/feed-server.js';
import { memoryLog } from '../../test/fixtures/refresh/memory-log.js';
import { freshStore, makeSource } from '../../test/helpers/store.js';
import { createPollMetrics } from './poll-metrics.js';
import { CONFIG_TRIGGER, createPollPasses } from './poll-passes.js';

let server: FeedServer;
let store: OpenedStore;
const NOW = Date.UTC(2026, 5, 1, 12);

beforeEach(async () => {
  server = await startFeedServer();
  for (const name of ['a', 'b', 'c']) server.route(`/${name}.xml`, plainFeed(() => fixture('blog-v1.xml')));
  server.route('/broken.xml', statusRoute(500));
  store = await freshStore();
});

afterEach(async () => {
  await store.close();
  await server.close();
});

function configOf(sources: SourceConfig[]): FeedsConfig {
  return { site: { title: 'T', tagline: 'T', url: 'https://portal.example.org/', timezone: 'UTC', maxEntries: 200 }, sources };
}

async function setUp(sources: SourceConfig[]) {
  const config = configOf(sources);
  await syncSources(store.db, sources, NOW);
  const registry = new Registry();
  const metrics = createPollMetrics({ registry, db: store.db, now: () => NOW });
  const log = memoryLog().log;
  const refresher = new Refresher({
    db: store.db,
    log,
    now: () => NOW,
    fetchFeed: metrics.meterFetcher(fetchFeed),
    fetchOptions: { timeoutMs: 5000, userAgent: 'test' },
    // On the test's own thread: these tests are about passes, not where digests run.
    digest: digestFeed,
  });
  const reports: RefreshReport[] = [];
  /** How many reports there were at each stream-change call. */
  const streamChanges: number[] = [];
  const passes = createPollPasses({
    db: store.db,
    refresher,
    getConfig: () => config,
    now: () => NOW,
    onStreamChanged: () => void streamChanges.push(reports.length),
    onReport: (report) => {
      reports.push(report);
      metrics.observeReport(report);
    },
  });
  return { passes, reports, registry, streamChanges: () => streamChanges };
}

const src = (id: string, path: string) => makeSource(id, { feed: `${server.url}${path}` });

describe('createPollPasses', () => {
  it('a full pass refreshes every due source and reports each', async () => {
    const bench = await setUp([src('a', 'a.xml'), src('b', 'b.xml'), makeSource('links', { feed: undefined })]);
    await bench.passes.runPass('schedule', new AbortController().signal);
    expect(bench.reports.map((r) => [r.sourceId, r.outcome, r.added])).toEqual([
      ['a', 'updated', 3],
      ['b', 'updated', 3],
    ]);
    // Once, when the pass has ended (after both sources' reports), not once per source.
    expect(bench.streamChanges()).toEqual([2]);
  });

  it('a pass that changes nothing does not tell the caches', async () => {
    const bench = await setUp([src('a', 'a.xml')]);
    await bench.passes.runPass('schedule', new AbortController().signal);
    // The same feed again: nothing new to store.
    await bench.passes.runPass('schedule', new AbortController().signal);
    expect(bench.reports.map((r) => r.outcome)).toEqual(['updated', 'unchanged']);
    expect(bench.streamChanges()).toEqual([1]);
  });

  it("a 'config' pass refreshes only the marked sources, and does nothing when none is marked", async () => {
    const bench = await setUp([src('a', 'a.xml'), src('b', 'b.xml'), src('c', 'c.xml')]);
    await bench.passes.runPass(CONFIG_TRIGGER, new AbortController().signal);
    expect(bench.reports).toEqual([]);
    expect(await store.db.selectFrom('poll_runs').selectAll().execute()).toEqual([]);
    bench.passes.markForPoll(['c', 'a']);
    await bench.passes.runPass(CONFIG_TRIGGER, new AbortController().signal);
    expect(bench.reports.map((r) => r.sourceId)).toEqual(['a', 'c']);
    expect(server.hits('/b.xml')).toBe(0);
    // The marks were used up.
    await bench.passes.runPass(CONFIG_TRIGGER, new AbortController().signal);
    expect(bench.reports).toHaveLength(2);
  });

  it('a full pass uses up the marks: it polls those sources itself', async () => {
    const bench = await setUp([src('a', 'a.xml'), src('b', 'b.xml')]);
    bench.passes.markForPoll(['a']);
    await bench.passes.runPass('schedule', new AbortController().signal);
    await bench.passes.runPass(CONFIG_TRIGGER, new AbortController().signal);
    expect(server.hits('/a.xml')).toBe(1);
  });
});

describe('createPollMetrics', () => {
  it('counts polls by outcome, fetch durations, bytes and entries; reads sources in backoff and the last pass from the store', async () => {
    const bench = await setUp([src('a', 'a.xml'), src('broken', 'broken.xml'), src('slow', 'b.xml')]);
    await bench.passes.runPass('schedule', new AbortController().signal);
    await recordFailure(store.db, 'slow', { now: NOW, error: 'fetch: timed out', errorKind: 'timeout', durationMs: 1, nextPollAt: NOW + 60_000 });
    const text = await bench.registry.metrics();
    expect(text).toContain('portal_polls_total{outcome="updated"} 2');
    expect(text).toContain('portal_polls_total{outcome="error"} 1');
    expect(text).toContain('portal_polls_total{outcome="not-modified"} 0');
    expect(text).toContain('portal_fetch_duration_seconds_count{result="ok"} 2');
    expect(text).toContain('portal_fetch_duration_seconds_count{result="error"} 1');
    const bytes = Number(/^portal_fetch_bytes_total (\d+)$/m.exec(text)?.[1]);
    expect(bytes).toBe(2 * Buffer.byteLength(fixture('blog-v1.xml')));
    expect(text).toContain('portal_entries_added_total{trigger="schedule"} 6');
    expect(text).toContain('portal_entries_updated_total{trigger="schedule"} 0');
    // 'broken' backs off after its 500, and 'slow' was given a backoff by hand.
    expect(text).toContain('portal_sources_in_backoff 2');
    expect(text).toContain(`portal_poll_last_pass_timestamp_seconds ${NOW / 1000}`);
    expect(await getSource(store.db, 'broken')).toMatchObject({ error_count: 1 });
  });
});
