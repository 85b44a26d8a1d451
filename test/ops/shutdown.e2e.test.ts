// Graceful shutdown and crash safety, proven on the real process: SIGTERM during a poll exits 0
// with every in-flight write finished; kill -9 during a poll loses nothing committed; both restart.
import type http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDb } from '../fixtures/ops/db-check.js';
import { eventually, feedsYaml } from '../fixtures/ops/feeds-yaml.js';
import { passFinished, refreshedLine, spawnPortal, type PortalProcess } from '../fixtures/ops/portal-process.js';
import { fixture, plainFeed, startFeedServer, type FeedServer, type Route } from '../fixtures/refresh/feed-server.js';

const POSTS = ['post-1', 'post-2', 'post-3'];

let dir: string;
let feeds: FeedServer;
let portals: PortalProcess[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ops-shutdown-'));
  feeds = await startFeedServer();
  portals = [];
});

afterEach(async () => {
  for (const portal of portals) portal.kill('SIGKILL');
  await Promise.all(portals.map((p) => p.exited));
  await feeds.close();
  await rm(dir, { recursive: true, force: true });
});

function start(): PortalProcess {
  const portal = spawnPortal({ DATABASE_PATH: path.join(dir, 'portal.db'), FEEDS_FILE: path.join(dir, 'feeds.yaml') });
  portals.push(portal);
  return portal;
}

async function writeFeeds(ids: string[]): Promise<void> {
  await writeFile(path.join(dir, 'feeds.yaml'), feedsYaml(ids.map((id) => ({ id, feed: `${feeds.url}${id}.xml` }))));
}

/** Never answers until released; the requests wait in `held`. */
function hangingFeed(held: http.ServerResponse[]): Route {
  return (_req, res) => void held.push(res);
}

describe('SIGTERM during a poll', () => {
  it('exits 0 after the fetches in flight are saved; a restart loses nothing and carries on', { timeout: 90_000 }, async () => {
    const held: http.ServerResponse[] = [];
    for (const id of ['fast-1', 'fast-2']) feeds.route(`/${id}.xml`, plainFeed(() => fixture('blog-v1.xml')));
    for (const id of ['slow-1', 'slow-2']) feeds.route(`/${id}.xml`, hangingFeed(held));
    await writeFeeds(['fast-1', 'fast-2', 'slow-1', 'slow-2']);

    const first = start();
    await first.url;
    await first.waitForLine(refreshedLine('fast-1'), 'fast-1 saved');
    await first.waitForLine(refreshedLine('fast-2'), 'fast-2 saved');
    await eventually(() => (held.length === 2 ? true : undefined), 'both slow fetches in flight');
    first.kill('SIGTERM');
    await first.waitForLine((l) => l.msg.startsWith('shutting down'), 'the shutdown to begin');
    // The slow feeds answer only now, during the shutdown: their writes must still land.
    const body = fixture('blog-v1.xml');
    for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body);

    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: closing the server, waiting for a running poll', 'stopped']));
    const afterStop = readDb(path.join(dir, 'portal.db'));
    expect(afterStop.integrity).toBe('ok');
    expect(afterStop.entries).toEqual({ 'fast-1': POSTS, 'fast-2': POSTS, 'slow-1': POSTS, 'slow-2': POSTS });
    expect(afterStop.pollRuns).toMatchObject([{ trigger: 'startup', entries_added: 12 }]);
    expect(afterStop.pollRuns[0]?.finished_at).not.toBeNull();

    for (const id of ['slow-1', 'slow-2']) feeds.route(`/${id}.xml`, plainFeed(() => fixture('blog-v1.xml')));
    const second = start();
    await second.waitForLine(passFinished('startup'), 'the second start-up pass');
    const status = (await (await fetch(`${await second.url}status.json`)).json()) as { sources: { id: string; entry_count: number; state: string }[] };
    expect(status.sources.map((s) => [s.id, s.entry_count, s.state])).toEqual([
      ['fast-1', 3, 'ok'],
      ['fast-2', 3, 'ok'],
      ['slow-1', 3, 'ok'],
      ['slow-2', 3, 'ok'],
    ]);
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const afterRestart = readDb(path.join(dir, 'portal.db'));
    expect(afterRestart.integrity).toBe('ok');
    expect(afterRestart.entries).toEqual(afterStop.entries);
    expect(afterRestart.pollRuns.every((run) => run.finished_at !== null)).toBe(true);
  });
});

describe('kill -9 during a poll', () => {
  it('loses nothing committed, passes integrity_check, and the next start completes the work', { timeout: 90_000 }, async () => {
    const fast = ['fast-1', 'fast-2', 'fast-3'];
    const hanging = ['hang-1', 'hang-2', 'hang-3'];
    const held: http.ServerResponse[] = [];
    for (const id of fast) feeds.route(`/${id}.xml`, plainFeed(() => fixture('blog-v1.xml')));
    for (const id of hanging) feeds.route(`/${id}.xml`, hangingFeed(held));
    await writeFeeds([...fast, ...hanging]);

    const first = start();
    await first.url;
    for (const id of fast) await first.waitForLine(refreshedLine(id), `${id} saved`);
    // Four at a time: the three fast ones finished and freed their slots for the rest.
    await eventually(() => (held.length === 3 ? true : undefined), 'all three hanging fetches in flight');
    const committed = readDb(path.join(dir, 'portal.db'));
    expect(committed.entries).toEqual({ 'fast-1': POSTS, 'fast-2': POSTS, 'fast-3': POSTS });
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const afterCrash = readDb(path.join(dir, 'portal.db'));
    expect(afterCrash.integrity).toBe('ok');
    expect(afterCrash.entries).toEqual(committed.entries);
    expect(afterCrash.pollRuns).toMatchObject([{ trigger: 'startup', finished_at: null }]);

    for (const res of held.splice(0)) res.destroy();
    for (const id of hanging) feeds.route(`/${id}.xml`, plainFeed(() => fixture('blog-v1.xml')));
    const second = start();
    await second.waitForLine(passFinished('startup'), 'the second start-up pass');
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    const afterRestart = readDb(path.join(dir, 'portal.db'));
    expect(afterRestart.integrity).toBe('ok');
    expect(afterRestart.entries).toEqual(Object.fromEntries([...fast, ...hanging].map((id) => [id, POSTS])));
    expect(afterRestart.pollRuns.at(-1)).toMatchObject({ trigger: 'startup', entries_added: 9 });
    expect(afterRestart.pollRuns.at(-1)?.finished_at).not.toBeNull();
  });
});
