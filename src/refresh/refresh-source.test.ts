import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedWithEtag, fixture, plainFeed, startFeedServer, statusRoute, type FeedServer } from '../../test/fixtures/refresh/feed-server.js';
import { refreshHarness, type Harness } from '../../test/fixtures/refresh/harness.js';
import { makeSource } from '../../test/helpers/store.js';
import { listDueSources, syncSources } from '../store/index.js';
import { refreshSource } from './refresh-source.js';
import { BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS } from './schedule.js';

const MIN = 60_000;

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

async function benchFor(path: string, overrides: Parameters<typeof makeSource>[1] = {}, options = {}): Promise<Harness> {
  bench = await refreshHarness([makeSource('blog', { feed: `${server.url}${path}`, ...overrides })], options);
  return bench;
}

describe('refreshSource: a 200', () => {
  it('stores the entries sanitized, with the feed facts and validators', async () => {
    server.route('/feed.xml', feedWithEtag(() => fixture('blog-v1.xml'), () => '"v1"'));
    const h = await benchFor('feed.xml');
    const report = await h.refresh('blog');
    expect(report).toMatchObject({ sourceId: 'blog', outcome: 'updated', status: 200, added: 3, updated: 0 });
    const entries = await h.entries('blog');
    expect(entries.map((e) => e.entry_id)).toEqual(['post-1', 'post-2', 'post-3']);
    const rural = entries[0];
    expect(rural?.content_html).not.toContain('<script');
    expect(rural?.content_html).toContain('href="https://blog.example.org/tags/rural"');
    const row = await h.row('blog');
    expect(row).toMatchObject({ etag: '"v1"', last_status: 200, last_error: null, error_count: 0, feed_title: 'Care Team Blog', entry_count: 3 });
    expect(server.headersOf('/feed.xml')[0]?.['user-agent']).toBe('PatientEngagementPortal/test (+https://portal.example.org/)');
  });

  it("keeps an Atom feed's own id for the source, so the exported Atom can name it", async () => {
    const atom =
      '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>tag:care.example.org,2024:blog</id>' +
      '<title>Care</title><updated>2024-03-01T00:00:00Z</updated><link href="https://care.example.org/"/>' +
      '<entry><id>tag:care.example.org,2024:1</id><title>One</title><updated>2024-03-01T00:00:00Z</updated></entry></feed>';
    server.route('/atom.xml', feedWithEtag(() => atom, () => '"a1"'));
    const h = await benchFor('atom.xml');
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'updated', added: 1 });
    expect(await h.row('blog')).toMatchObject({ feed_atom_id: 'tag:care.example.org,2024:blog', feed_title: 'Care' });
  });

  it('changes nothing when the same feed comes again (idempotent re-poll)', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml');
    await h.refresh('blog');
    const before = { entries: await h.entries('blog'), version: await h.streamVersion() };
    h.clock.now += 30 * MIN;
    const report = await h.refresh('blog');
    expect(report).toMatchObject({ outcome: 'unchanged', status: 200, added: 0, updated: 0 });
    expect(await h.entries('blog')).toEqual(before.entries);
    expect(await h.streamVersion()).toBe(before.version);
  });

  it('keeps undated entries unchanged across polls, with their first-seen date', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('undated.xml')));
    const h = await benchFor('feed.xml');
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'updated', added: 2 });
    const first = await h.entries('blog');
    expect(first.every((e) => e.published_at === h.clock.now)).toBe(true);
    h.clock.now += 30 * MIN;
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'unchanged', added: 0, updated: 0 });
    expect(await h.entries('blog')).toEqual(first);
  });

  it('updates a changed entry in place and adds a new one', async () => {
    let body = fixture('blog-v1.xml');
    server.route('/feed.xml', plainFeed(() => body));
    const h = await benchFor('feed.xml');
    await h.refresh('blog');
    const before = new Map((await h.entries('blog')).map((e) => [e.entry_id, e]));
    body = fixture('blog-v2.xml');
    h.clock.now += 30 * MIN;
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'updated', added: 1, updated: 1 });
    const after = new Map((await h.entries('blog')).map((e) => [e.entry_id, e]));
    const notes = after.get('post-2');
    expect(notes).toMatchObject({ id: before.get('post-2')?.id, title: 'Sharing notes with patients (revised)', changed_at: h.clock.now });
    expect(notes?.content_text).toContain('second version');
    expect(after.get('post-1')).toEqual(before.get('post-1'));
    expect(after.has('post-4')).toBe(true);
  });

  it('applies include and exclude rules', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml', { exclude: ['^sponsored'] });
    expect(await h.refresh('blog')).toMatchObject({ added: 2 });
    expect((await h.entries('blog')).map((e) => e.entry_id)).toEqual(['post-1', 'post-2']);
    await h.close();
    bench = await refreshHarness([makeSource('blog', { feed: `${server.url}feed.xml`, include: ['open notes'] })]);
    expect(await bench.refresh('blog')).toMatchObject({ added: 1 });
    expect((await bench.entries('blog')).map((e) => e.entry_id)).toEqual(['post-2']);
  });

  it('keeps only the newest max_entries, and does not re-add the dropped ones', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml', { maxEntries: 2 });
    expect(await h.refresh('blog')).toMatchObject({ added: 2 });
    expect((await h.entries('blog')).map((e) => e.entry_id)).toEqual(['post-2', 'post-3']);
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'unchanged', added: 0 });
  });

  it('sets the next poll from the source interval', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml', { pollMinutes: 90 });
    await h.refresh('blog');
    expect((await h.row('blog')).next_poll_at).toBe(h.clock.now + 90 * MIN);
  });
});

describe('refreshSource: a 304', () => {
  it('updates only the source row: no entry written, no stream change', async () => {
    server.route('/feed.xml', feedWithEtag(() => fixture('blog-v1.xml'), () => '"v1"'));
    const h = await benchFor('feed.xml');
    await h.refresh('blog');
    const before = { entries: await h.entries('blog'), version: await h.streamVersion() };
    h.clock.now += 30 * MIN;
    const report = await h.refresh('blog');
    expect(report).toMatchObject({ outcome: 'not-modified', status: 304, added: 0, updated: 0 });
    expect(server.headersOf('/feed.xml')[1]?.['if-none-match']).toBe('"v1"');
    expect(await h.entries('blog')).toEqual(before.entries);
    expect(await h.streamVersion()).toBe(before.version);
    expect(await h.row('blog')).toMatchObject({ last_status: 304, last_attempt_at: h.clock.now, last_success_at: h.clock.now, etag: '"v1"' });
  });
});

describe('refreshSource: failures', () => {
  it('records a parse error with the status, and backs off', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('malformed.xml')));
    const h = await benchFor('feed.xml');
    const report = await h.refresh('blog');
    expect(report).toMatchObject({ outcome: 'error', status: 200, added: 0 });
    expect(report.error).toMatch(/^parse: /);
    expect(await h.row('blog')).toMatchObject({ last_status: 200, last_error_kind: 'parse', error_count: 1, next_poll_at: h.clock.now + 15 * MIN });
    expect(report.error).toBe((await h.row('blog')).last_error);
    expect(report.errorKind).toBe('parse');
  });

  it('records a digest refused over its budget like a parse error, and stores nothing of the feed', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml');
    const refusal = 'digest: refused: reading this feed took longer than 10 s';
    const report = await refreshSource({ ...h.deps, digest: async () => ({ kind: 'refused', message: refusal }) }, await h.source('blog'));
    expect(report).toMatchObject({ outcome: 'error', status: 200, added: 0, error: refusal });
    expect(await h.row('blog')).toMatchObject({ last_status: 200, last_error: refusal, last_error_kind: 'too-complex', error_count: 1, next_poll_at: h.clock.now + 15 * MIN });
    expect(await h.entries('blog')).toEqual([]);
  });

  it('records a digest its closing pool rejected as a failure', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml');
    const closed = 'digest: the digest pool closed before this feed was read';
    const report = await refreshSource({ ...h.deps, digest: () => Promise.reject(new Error(closed)) }, await h.source('blog'));
    expect(report).toMatchObject({ outcome: 'error', added: 0, error: closed });
    expect(await h.row('blog')).toMatchObject({ last_error: closed, error_count: 1 });
    expect(await h.entries('blog')).toEqual([]);
  });

  it('doubles the backoff with each consecutive failure, up to 24 hours, and a success clears it', async () => {
    server.route('/feed.xml', statusRoute(500));
    const h = await benchFor('feed.xml');
    const waits: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      expect(await h.refresh('blog')).toMatchObject({ outcome: 'error', status: 500, error: 'fetch: HTTP 500 Internal Server Error' });
      const row = await h.row('blog');
      waits.push(((row.next_poll_at ?? 0) - h.clock.now) / MIN);
      h.clock.now = row.next_poll_at ?? 0;
      expect(await listDueSources(h.store.db, h.clock.now)).toHaveLength(1);
      expect(await listDueSources(h.store.db, h.clock.now - 1)).toHaveLength(0);
    }
    expect(waits).toEqual([15, 30, 60, 120, 240, 480, 960, BACKOFF_CAP_MS / MIN, BACKOFF_CAP_MS / MIN]);
    expect(await h.row('blog')).toMatchObject({ error_count: 9, last_error_kind: 'http' });
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    await h.refresh('blog');
    expect(await h.row('blog')).toMatchObject({ error_count: 0, last_error: null, last_error_kind: null, backoff_until: null, next_poll_at: null });
  });

  it('waits as long as a 429 Retry-After says, capped at 7 days', async () => {
    server.route('/feed.xml', statusRoute(429, { 'retry-after': '7200' }));
    const h = await benchFor('feed.xml');
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'error', status: 429 });
    expect((await h.row('blog')).next_poll_at).toBe(h.clock.now + 120 * MIN);
    server.route('/feed.xml', statusRoute(503, { 'retry-after': String(60 * 60 * 24 * 365) }));
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'error', status: 503 });
    expect((await h.row('blog')).next_poll_at).toBe(h.clock.now + RETRY_AFTER_CAP_MS);
  });

  it("records the server's pause apart from its own backoff: only a Retry-After sets it, and an answer clears it", async () => {
    // Shorter than the backoff: the schedule waits 15 minutes, but the server asked for one.
    server.route('/feed.xml', statusRoute(429, { 'retry-after': '60' }));
    const h = await benchFor('feed.xml');
    await h.refresh('blog');
    expect(await h.row('blog')).toMatchObject({ next_poll_at: h.clock.now + 15 * MIN, retry_after_until: h.clock.now + MIN });
    server.route('/feed.xml', statusRoute(503));
    await h.refresh('blog');
    expect((await h.row('blog')).retry_after_until).toBeNull();
    server.route('/feed.xml', statusRoute(503, { 'retry-after': '600' }));
    await h.refresh('blog');
    expect((await h.row('blog')).retry_after_until).toBe(h.clock.now + 10 * MIN);
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    await h.refresh('blog');
    expect((await h.row('blog')).retry_after_until).toBeNull();
  });

  it('stops polling after a 410 until the feed URL changes', async () => {
    server.route('/feed.xml', statusRoute(410));
    const h = await benchFor('feed.xml');
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'gone', status: 410 });
    expect(await h.row('blog')).toMatchObject({ gone: 1, last_status: 410, last_error_kind: 'gone' });
    expect(await listDueSources(h.store.db, h.clock.now + 365 * 24 * 60 * MIN)).toHaveLength(0);
    expect(h.memory.warnings().at(-1)).toMatchObject({ source_id: 'blog', outcome: 'gone', status: 410 });
    await syncSources(h.store.db, [makeSource('blog', { feed: `${server.url}new.xml` })], h.clock.now);
    expect(await listDueSources(h.store.db, h.clock.now)).toHaveLength(1);
  });

  it('reports a permanent redirect for the operator, and still stores the feed', async () => {
    server.route('/old.xml', statusRoute(301, { location: '/new.xml' }));
    server.route('/new.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('old.xml');
    const report = await h.refresh('blog');
    expect(report).toMatchObject({ outcome: 'updated', added: 3, movedTo: `${server.url}new.xml` });
    expect((await h.row('blog')).moved_to).toBe(`${server.url}new.xml`);
    expect(h.memory.warnings()).toHaveLength(1);
    expect(h.memory.warnings()[0]).toMatchObject({ source_id: 'blog', moved_to: `${server.url}new.xml`, feed_url: `${server.url}old.xml` });
  });

  it('records a timeout, logged as a warning without a stack', async () => {
    server.route('/feed.xml', () => undefined);
    const h = await benchFor('feed.xml', {}, { timeoutMs: 300 });
    const report = await h.refresh('blog');
    expect(report).toMatchObject({ outcome: 'error', error: 'fetch: timed out after 300 ms' });
    expect(report.status).toBeUndefined();
    expect(await h.row('blog')).toMatchObject({ last_error: 'fetch: timed out after 300 ms', last_error_kind: 'timeout', error_count: 1 });
    const line = h.memory.lines.find((l) => l.source_id === 'blog');
    expect(line).toMatchObject({ level: 40, outcome: 'error', error: 'fetch: timed out after 300 ms', error_kind: 'timeout', error_count: 1 });
    expect(line).not.toHaveProperty('err');
    expect(line).not.toHaveProperty('stack');
  });

  it('records a 404 without throwing', async () => {
    const h = await benchFor('missing.xml');
    expect(await h.refresh('blog')).toMatchObject({ outcome: 'error', status: 404, error: 'fetch: HTTP 404 Not Found' });
  });

  it("records a bug as 'internal', with its full message for the log only", async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml');
    const digest = () => Promise.reject(new Error('digest: worker died reading /srv/portal/data at 10.0.0.5:8080'));
    const report = await refreshSource({ ...h.deps, digest }, await h.source('blog'));
    expect(report).toMatchObject({ outcome: 'error', errorKind: 'internal', error: 'digest: worker died reading /srv/portal/data at 10.0.0.5:8080' });
    expect(await h.row('blog')).toMatchObject({ last_error_kind: 'internal', error_count: 1 });
    expect(h.memory.lines.find((l) => l.msg === 'refresh failed unexpectedly')).toMatchObject({ error_kind: 'internal' });
  });

  it('never throws, even when the store fails: the report says what happened', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml');
    const source = await h.source('blog');
    await h.store.close();
    const report = await refreshSource(h.deps, source);
    expect(report).toMatchObject({ sourceId: 'blog', outcome: 'error' });
    expect(h.memory.lines.find((l) => l.msg === 'refresh failed unexpectedly')).toHaveProperty('err');
    bench = undefined;
  });
});

describe('refreshSource: logging', () => {
  it('writes one line per source with snake_case keys', async () => {
    server.route('/feed.xml', plainFeed(() => fixture('blog-v1.xml')));
    const h = await benchFor('feed.xml');
    await h.refresh('blog');
    const lines = h.memory.lines.filter((l) => l.source_id === 'blog');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, feed_url: `${server.url}feed.xml`, outcome: 'updated', status: 200, added: 3, updated: 0 });
    expect(typeof lines[0]?.ms).toBe('number');
  });
});
