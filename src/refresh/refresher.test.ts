import type http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, plainFeed, startFeedServer, type FeedServer } from '../../test/fixtures/refresh/feed-server.js';
import { refreshHarness, type Harness } from '../../test/fixtures/refresh/harness.js';
import { makeSource } from '../../test/helpers/store.js';
import { countPendingEntries, latestPollRun } from '../store/index.js';
import { Refresher, dueSources, refreshAll } from './refresher.js';

let server: FeedServer;
let bench: Harness | undefined;

beforeEach(async () => {
  server = await startFeedServer();
});

afterEach(async () => {
  await bench?.close();
  bench = undefined;
  await server.close();
});

/** Requests wait here until the test lets them go. */
function heldResponses(body: string) {
  const held: http.ServerResponse[] = [];
  const release = () => {
    for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);
  };
  return { held, release };
}

function feeds(ids: string[], overrides = {}) {
  return ids.map((id) => makeSource(id, { feed: `${server.url}${id}.xml`, ...overrides }));
}

describe('refreshAll', () => {
  it('stores a good feed beside a malformed one, and records the pass', async () => {
    server.route('/good.xml', plainFeed(() => fixture('blog-v1.xml')));
    server.route('/bad.xml', plainFeed(() => fixture('malformed.xml')));
    bench = await refreshHarness(feeds(['good', 'bad']));
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    let changed = 0;
    const result = await refreshAll(bench.deps, sources, { trigger: 'test', onStreamChanged: () => (changed += 1) });
    expect(result.reports.map((r) => [r.sourceId, r.outcome])).toEqual([
      ['good', 'updated'],
      ['bad', 'error'],
    ]);
    expect(await bench.entries('good')).toHaveLength(3);
    expect((await bench.row('bad')).last_error).toMatch(/^parse: /);
    expect(result.totals).toEqual({ sourcesDue: 2, fetched: 2, notModified: 0, errors: 1, entriesAdded: 3, entriesUpdated: 0 });
    expect(changed).toBe(1);
    // Entries wait for the search index in batches; a pass leaves none waiting.
    expect(await countPendingEntries(bench.store.db)).toBe(0);
    const run = await latestPollRun(bench.store.db);
    expect(run).toMatchObject({ id: result.pollRunId, trigger: 'test', sources_due: 2, fetched: 2, errors: 1, entries_added: 3 });
    expect(run?.finished_at).not.toBeNull();
  });

  it('logs one line per source and one summary line per pass, with no stack for expected failures', async () => {
    server.route('/good.xml', plainFeed(() => fixture('blog-v1.xml')));
    server.route('/missing.xml', (_req, res) => void res.writeHead(404).end());
    bench = await refreshHarness(feeds(['good', 'missing']));
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    await refreshAll(bench.deps, sources, { trigger: 'test' });
    const perSource = bench.memory.lines.filter((l) => typeof l.source_id === 'string');
    expect(perSource.map((l) => [l.source_id, l.outcome])).toEqual(expect.arrayContaining([['good', 'updated'], ['missing', 'error']]));
    expect(perSource).toHaveLength(2);
    expect(perSource.some((l) => 'err' in l || 'stack' in l)).toBe(false);
    const summaries = bench.memory.lines.filter((l) => l.msg === 'poll pass finished');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      trigger: 'test',
      started_at: new Date(bench.clock.now).toISOString(),
      finished_at: new Date(bench.clock.now).toISOString(),
      sources_due: 2,
      fetched: 2,
      not_modified: 0,
      errors: 1,
      entries_added: 3,
      entries_updated: 0,
      ms: 0,
    });
  });

  it('never has more than `concurrency` requests in flight', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `slow-${i}`);
    const gate = heldResponses(fixture('undated.xml'));
    let received = 0;
    for (const id of ids) {
      server.route(`/${id}.xml`, (_req, res) => {
        received += 1;
        gate.held.push(res);
        // Let a batch go once four wait, and the tail once every source has asked.
        if (gate.held.length === 4 || received === ids.length) gate.release();
      });
    }
    bench = await refreshHarness(feeds(ids));
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    const result = await refreshAll(bench.deps, sources, { trigger: 'test', concurrency: 4 });
    expect(result.reports.every((r) => r.outcome === 'updated')).toBe(true);
    expect(server.maxInFlight).toBe(4);
  });

  it('lets the other sources finish while one is slow', async () => {
    const slow = heldResponses(fixture('blog-v1.xml'));
    server.route('/slow.xml', (_req, res) => void slow.held.push(res));
    const fast = ['a', 'b', 'c', 'd', 'e'];
    for (const id of fast) server.route(`/${id}.xml`, plainFeed(() => fixture('undated.xml')));
    bench = await refreshHarness(feeds(['slow', ...fast]));
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    const done: string[] = [];
    const result = await refreshAll(bench.deps, sources, {
      trigger: 'test',
      concurrency: 2,
      // Not a test of stalling: no fast fetch may give up its place before it answers.
      stallAfterMs: 60_000,
      onProgress: (_n, _total, report) => {
        done.push(report.sourceId);
        // The slow one answers only after every fast one is done: a held-back pass never gets here.
        if (done.length === fast.length) slow.release();
      },
    });
    expect(done).toEqual([...fast, 'slow']);
    expect(result.reports.map((r) => r.outcome)).toEqual(Array(6).fill('updated'));
  });

  it('frees a hanging source\'s slot once it counts as stalled, so the others are asked before any timeout', async () => {
    const hanging = ['h1', 'h2', 'h3'];
    const fast = ['a', 'b', 'c'];
    const events: string[] = [];
    for (const id of hanging) {
      server.route(`/${id}.xml`, (_req, res) => {
        events.push(`asked ${id}`);
        res.on('close', () => events.push(`closed ${id}`));
      });
    }
    for (const id of fast) {
      const answer = plainFeed(() => fixture('undated.xml'));
      server.route(`/${id}.xml`, (req, res) => {
        events.push(`asked ${id}`);
        answer(req, res);
      });
    }
    bench = await refreshHarness(feeds([...hanging, ...fast]), { timeoutMs: 1500 });
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    const result = await refreshAll(bench.deps, sources, { trigger: 'test', concurrency: 1, stallAfterMs: 20 });
    expect(result.reports.map((r) => r.outcome)).toEqual(['error', 'error', 'error', 'updated', 'updated', 'updated']);
    expect(result.reports[0]?.error).toMatch(/timed out/);
    const firstClose = events.findIndex((e) => e.startsWith('closed'));
    expect(events.slice(0, firstClose).filter((e) => e.startsWith('asked'))).toHaveLength(6);
  });

  it('never opens more than maxOpenFetches requests, stalled ones included', async () => {
    const hanging = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
    for (const id of hanging) server.route(`/${id}.xml`, () => undefined);
    bench = await refreshHarness(feeds(hanging), { timeoutMs: 300 });
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    // Counted where the requests are made: the server sees a timed-out socket close a little later.
    const open = { now: 0, max: 0 };
    const fetchFeed: typeof bench.deps.fetchFeed = async (...args) => {
      open.max = Math.max(open.max, (open.now += 1));
      try {
        return await bench!.deps.fetchFeed(...args);
      } finally {
        open.now -= 1;
      }
    };
    const deps = { ...bench.deps, fetchFeed };
    const result = await refreshAll(deps, sources, { trigger: 'test', concurrency: 1, stallAfterMs: 1, maxOpenFetches: 2 });
    expect(result.reports.map((r) => r.outcome)).toEqual(Array(6).fill('error'));
    expect(result.reports[0]?.error).toMatch(/timed out/);
    expect(open.max).toBe(2);
    expect(server.hits('/h6.xml')).toBe(1);
  });

  it('reports progress as done/total', async () => {
    for (const id of ['a', 'b', 'c']) server.route(`/${id}.xml`, plainFeed(() => fixture('undated.xml')));
    bench = await refreshHarness(feeds(['a', 'b', 'c']));
    const progress: string[] = [];
    await refreshAll(bench.deps, await dueSources(bench.store.db, bench.config, bench.clock.now), {
      trigger: 'test',
      onProgress: (done, total) => progress.push(`${done}/${total}`),
    });
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
  });

  it('starts no further source once its signal aborts', async () => {
    for (const id of ['a', 'b', 'c']) server.route(`/${id}.xml`, plainFeed(() => fixture('undated.xml')));
    bench = await refreshHarness(feeds(['a', 'b', 'c']));
    const stop = new AbortController();
    const result = await refreshAll(bench.deps, await dueSources(bench.store.db, bench.config, bench.clock.now), {
      trigger: 'test',
      concurrency: 1,
      // Not a test of stalling: 'a' keeps its place until it is done.
      stallAfterMs: 60_000,
      signal: stop.signal,
      onProgress: () => stop.abort(),
    });
    expect(result.reports.map((r) => r.outcome)).toEqual(['updated', 'skipped', 'skipped']);
    expect(server.hits('/b.xml') + server.hits('/c.xml')).toBe(0);
  });
});

describe('Refresher', () => {
  it('with claims, two processes working from the same list fetch each source once between them, and say who polled', async () => {
    for (const id of ['a', 'b', 'c', 'd']) server.route(`/${id}.xml`, plainFeed(() => fixture('blog-v1.xml')));
    bench = await refreshHarness(feeds(['a', 'b', 'c', 'd']));
    const one = new Refresher({ ...bench.deps, claims: { owner: 'host:1:worker', leaseMs: 10_000 } });
    const two = new Refresher({ ...bench.deps, claims: { owner: 'host:2:worker', leaseMs: 10_000 } });
    const listed = await dueSources(bench.store.db, bench.config, bench.clock.now);
    const [first, second] = await Promise.all([one.refreshAll(listed, { trigger: 'schedule' }), two.refreshAll(listed, { trigger: 'schedule' })]);
    for (const id of ['a', 'b', 'c', 'd']) expect(server.hits(`/${id}.xml`)).toBe(1);
    const outcomes = (result: typeof first) => result.reports.map((r) => r.outcome);
    for (let i = 0; i < 4; i += 1) expect([outcomes(first)[i], outcomes(second)[i]].sort()).toEqual(['taken', 'updated']);
    expect(first.totals.fetched + second.totals.fetched).toBe(4);
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) {
      const row = await bench.row(id);
      expect(row.claimed_by).toBeNull();
      expect(row.last_polled_by).toBe(outcomes(first)[i] === 'updated' ? 'host:1:worker' : 'host:2:worker');
    }
  });

  it("with claims, leaves a source a live process holds, and takes it once that process's claim has lapsed", async () => {
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    bench = await refreshHarness(feeds(['blog']));
    await bench.store.db.updateTable('sources').set({ claimed_by: 'killed:9:worker', claimed_until: bench.clock.now + 1000 }).execute();
    const refresher = new Refresher({ ...bench.deps, claims: { owner: 'host:2:worker', leaseMs: 10_000 } });
    const [source] = await dueSources(bench.store.db, bench.config, bench.clock.now);
    expect(await refresher.refreshSource(source!)).toMatchObject({ outcome: 'taken', added: 0 });
    expect(server.hits('/blog.xml')).toBe(0);
    bench.clock.now += 1001;
    expect(await refresher.refreshSource(source!)).toMatchObject({ outcome: 'updated', added: 3 });
    expect(await bench.row('blog')).toMatchObject({ claimed_by: null, claimed_until: null, last_polled_by: 'host:2:worker' });
  });

  it('never fetches the same source twice at once', async () => {
    const gate = heldResponses(fixture('blog-v1.xml'));
    server.route('/blog.xml', (_req, res) => void gate.held.push(res));
    bench = await refreshHarness(feeds(['blog']));
    const refresher = new Refresher(bench.deps);
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    const first = refresher.refreshAll(sources, { trigger: 'startup' });
    while (gate.held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await refresher.refreshAll(sources, { trigger: 'schedule' });
    const single = await refresher.refreshSource(sources[0]!);
    gate.release();
    expect((await first).reports[0]).toMatchObject({ outcome: 'updated', added: 3 });
    expect(second.reports[0]).toMatchObject({ outcome: 'skipped' });
    expect(single).toMatchObject({ outcome: 'skipped' });
    expect(server.hits('/blog.xml')).toBe(1);
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    expect(await refresher.refreshSource((await dueSources(bench.store.db, bench.config, bench.clock.now))[0]!)).toMatchObject({
      outcome: 'unchanged',
    });
  });

  it('makes what a single refresh stored searchable before it resolves', async () => {
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    bench = await refreshHarness(feeds(['blog']));
    const [source] = await dueSources(bench.store.db, bench.config, bench.clock.now);
    expect(await new Refresher(bench.deps).refreshSource(source!)).toMatchObject({ outcome: 'updated', added: 3 });
    expect(await countPendingEntries(bench.store.db)).toBe(0);
  });

  it('parses and writes a body identical to the last saved one only once', async () => {
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    bench = await refreshHarness(feeds(['blog']));
    const refresher = new Refresher(bench.deps);
    const due = async () => dueSources(bench!.store.db, bench!.config, bench!.clock.now);
    expect((await refresher.refreshAll(await due(), { trigger: 'test' })).reports[0]).toMatchObject({ outcome: 'updated', added: 3 });
    // The entries go behind the refresher's back: the same bytes are not parsed or written again...
    await bench.store.db.deleteFrom('entries').execute();
    expect((await refresher.refreshAll(await due(), { trigger: 'test' })).reports[0]).toMatchObject({ outcome: 'unchanged', status: 200 });
    expect(await bench.entries('blog')).toHaveLength(0);
    expect((await bench.row('blog')).last_status).toBe(200);
    // ...other bytes are, and so is everything after a restart (a fresh Refresher).
    server.route('/blog.xml', plainFeed(() => fixture('blog-v2.xml')));
    expect((await refresher.refreshAll(await due(), { trigger: 'test' })).reports[0]?.outcome).toBe('updated');
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    await refresher.refreshAll(await due(), { trigger: 'test' });
    await bench.store.db.deleteFrom('entries').execute();
    expect((await refreshAll(bench.deps, await due(), { trigger: 'test' })).reports[0]).toMatchObject({ outcome: 'updated', added: 3 });
  });

  it('lets the digest pool release its idle workers once a pass has ended, and only then', async () => {
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    bench = await refreshHarness(feeds(['blog']));
    const events: string[] = [];
    const deps = {
      ...bench.deps,
      fetchFeed: ((...args) => (events.push('fetch'), bench!.deps.fetchFeed(...args))) as typeof bench.deps.fetchFeed,
      releaseIdleDigesters: () => events.push('release'),
    };
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    await new Refresher(deps).refreshAll(sources, { trigger: 'test' });
    expect(events).toEqual(['fetch', 'release']);
  });

  it('looks for icons after a pass without holding it, one look at a time, and settles once the look ends', async () => {
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    bench = await refreshHarness(feeds(['blog']));
    let finishLook = () => {};
    const looks: (AbortSignal | undefined)[] = [];
    const refreshIcons = (signal?: AbortSignal) => (looks.push(signal), new Promise<void>((resolve) => (finishLook = resolve)));
    const refresher = new Refresher({ ...bench.deps, refreshIcons });
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    const stop = new AbortController();
    // The look never ends by itself here, as a look at unreachable sites runs for minutes: both passes end all the same.
    expect((await refresher.refreshAll(sources, { trigger: 'startup', signal: stop.signal })).reports[0]).toMatchObject({ outcome: 'updated' });
    expect((await refresher.refreshAll(sources, { trigger: 'schedule' })).reports[0]).toMatchObject({ outcome: 'unchanged' });
    expect(looks).toEqual([stop.signal]);
    let settled = false;
    const settling = refresher.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    finishLook();
    await settling;
    // The look has ended: the next pass starts another.
    await refresher.refreshAll(sources, { trigger: 'schedule' });
    expect(looks).toHaveLength(2);
    finishLook();
    await refresher.settled();
  });

  it('fetches a source listed twice only once', async () => {
    server.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    bench = await refreshHarness(feeds(['blog']));
    const sources = await dueSources(bench.store.db, bench.config, bench.clock.now);
    const result = await refreshAll(bench.deps, [...sources, ...sources], { trigger: 'test' });
    expect(result.reports).toHaveLength(1);
    expect(server.hits('/blog.xml')).toBe(1);
  });
});

describe('dueSources', () => {
  it('leaves out link-only, gone and not-yet-due sources', async () => {
    bench = await refreshHarness([
      makeSource('feedless', { feed: undefined }),
      makeSource('due', { feed: `${server.url}due.xml` }),
      makeSource('later', { feed: `${server.url}later.xml`, pollMinutes: 60 }),
    ]);
    server.route('/later.xml', plainFeed(() => fixture('undated.xml')));
    await bench.refresh('later');
    const due = await dueSources(bench.store.db, bench.config, bench.clock.now);
    expect(due.map((s) => s.row.id)).toEqual(['due']);
    expect(due[0]?.config.id).toBe('due');
    expect(due[0]?.defaultMaxEntries).toBe(200);
    const inAnHour = await dueSources(bench.store.db, bench.config, bench.clock.now + 60 * 60_000);
    expect(inAnHour.map((s) => s.row.id)).toEqual(['due', 'later']);
  });
});
