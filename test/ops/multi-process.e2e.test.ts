// Several processes on one database, as real child processes of the built portal (bin/portal.js):
// two workers and two web processes on a fresh PostgreSQL database, and a worker and a web process
// apart on one SQLite file. Each source is fetched once between the workers, a worker killed with
// -9 mid-pass loses nothing (its claims lapse and the other takes its sources), and an entry a
// worker stores shows on every web process within 10 seconds.
import { execFileSync } from 'node:child_process';
import type http from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../fixtures/ops/feeds-yaml.js';
import { REPO_ROOT, spawnPortal, type PortalEnv, type PortalProcess } from '../fixtures/ops/portal-process.js';
import { startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';
import { createTestSchema, describeOnPostgres, type TestSchema } from '../helpers/store.js';

/** Every two seconds: passes come often, so a lapsed claim is taken up soon. */
const OFTEN = '*/2 * * * * *';
const FRESH = 'fresh';

let dir: string;
let feeds: FeedServer;
let processes: PortalProcess[];
/** Per source: the requests answered with the feed (a request a killed worker left open is not). */
let answered: Map<string, number>;
/** Per source: which worker each answer went to, by its User-Agent ('worker-one', 'worker-two', or '?'). */
let answeredTo: Map<string, string[]>;
/** Per feed path: the body the next answer carries. */
let items: Map<string, string[]>;

beforeAll(() => {
  // The processes run the build in dist/: make it current once, before four processes start at once.
  execFileSync(process.execPath, ['bin/portal.js', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
}, 180_000);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'multi-process-'));
  feeds = await startFeedServer();
  processes = [];
  answered = new Map();
  answeredTo = new Map();
  items = new Map();
});

afterEach(async () => {
  for (const child of processes) child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await feeds.close();
  await rm(dir, { recursive: true, force: true });
});

function start(role: 'web' | 'worker', env: PortalEnv): PortalProcess {
  const child = spawnPortal(env, { command: process.execPath, args: ['bin/portal.js', role], cwd: REPO_ROOT });
  processes.push(child);
  return child;
}

function rss(id: string): string {
  const entries = (items.get(id) ?? []).map((title) => {
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    // A fresh post is dated now, so it heads the stream; the others are older.
    const date = title.startsWith('Fresh') ? new Date().toUTCString() : 'Mon, 01 Jun 2026 12:00:00 GMT';
    return `<item><title>${title}</title><link>https://${id}.example.org/${slug}</link><guid>${slug}</guid><description>${title} for care teams.</description><pubDate>${date}</pubDate></item>`;
  });
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${id}</title><link>https://${id}.example.org/</link><description>d</description>${entries.join('')}</channel></rss>`;
}

/** Serves `/ID.xml`; `hold` decides which requests are left open, never answered. */
function serveFeeds(ids: readonly string[], hold: (id: string, req: http.IncomingMessage) => boolean = () => false) {
  const held: { id: string; res: http.ServerResponse }[] = [];
  for (const id of ids) {
    items.set(id, [`First post of ${id}`, `Second post of ${id}`]);
    feeds.route(`/${id}.xml`, (req, res) => {
      if (hold(id, req)) return void held.push({ id, res });
      answered.set(id, (answered.get(id) ?? 0) + 1);
      const worker = /worker-(one|two)/.exec(String(req.headers['user-agent']))?.[0] ?? '?';
      answeredTo.set(id, [...(answeredTo.get(id) ?? []), worker]);
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(id));
    });
  }
  return held;
}

/** Sources polled at most once a day (so once in this test), and one polled every pass. */
async function writeFeedsFile(ids: readonly string[]): Promise<string> {
  const file = path.join(dir, 'feeds.yaml');
  const lines = ['site:', '  title: Ops Portal', '  tagline: For operators.', '  url: https://portal.example.org/', 'sources:'];
  for (const id of ids) {
    lines.push(`  - id: ${id}`, `    title: Source ${id}`, `    site: https://${id}.example.org/`, `    feed: ${feeds.url}${id}.xml`);
    lines.push(`    description: The ${id} blog.`, '    category: advocacy');
    if (id !== FRESH) lines.push('    poll_minutes: 1440');
  }
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** The nice value of each thread of process `pid` (Linux: /proc/PID/task/TID/stat, field 19). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The fields after the command name, which may hold spaces, start with the state (field 3).
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

interface SourceStatus {
  id: string;
  state: string;
  entry_count: number;
  last_polled_by: string | null;
}

async function statusOf(web: PortalProcess): Promise<SourceStatus[]> {
  return ((await (await fetch(`${await web.url}status.json`)).json()) as { sources: SourceStatus[] }).sources;
}

/** A worker stores a new entry; every web process must show it on its pages, feeds and search within 10 s. */
async function expectFreshEverywhere(webs: readonly PortalProcess[]): Promise<void> {
  const word = `Zqxv${Date.now().toString(36)}`;
  items.set(FRESH, [`Fresh news ${word}`, ...(items.get(FRESH) ?? [])]);
  const deadline = Date.now() + 10_000;
  for (const web of webs) {
    const url = await web.url;
    for (const page of ['', 'conversations', 'feed.json', `search?q=${word}`]) {
      for (;;) {
        const text = await (await fetch(`${url}${page}`)).text();
        if (text.includes(word)) break;
        if (Date.now() > deadline) throw new Error(`${url}${page} did not show the new entry within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

describeOnPostgres('two workers and two web processes on one PostgreSQL database', () => {
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    await schema.drop();
  });

  it('fetch each of 200 sources once between the workers; a worker killed with -9 mid-pass loses nothing; both web processes show new entries', { timeout: 150_000 }, async () => {
    const ids = [...Array.from({ length: 200 }, (_, i) => `s-${String(i).padStart(3, '0')}`), FRESH];
    let oneKilled = false;
    // The first worker's requests for every tenth source are left open, until it is killed.
    const held = serveFeeds(ids, (id, req) => !oneKilled && id.endsWith('0') && String(req.headers['user-agent']).includes('worker-one'));
    const file = await writeFeedsFile(ids);
    const common = { FEEDS_FILE: file, DATABASE_PATH: path.join(dir, 'unused.db'), DATABASE_URL: schema.url, POLL_SCHEDULE: OFTEN, FETCH_TIMEOUT_MS: '3000' };
    // Each worker says who it is in its User-Agent (through SITE_URL), so the feed server knows who asked.
    const one = start('worker', { ...common, SITE_URL: 'http://worker-one.test/' });
    const two = start('worker', { ...common, SITE_URL: 'http://worker-two.test/' });
    const webs = [start('web', common), start('web', common)];
    await Promise.all([...processes.map((p) => p.url)]);

    await eventually(() => (held.length > 0 ? true : undefined), 'the first worker to be fetching a held source');
    await new Promise((resolve) => setTimeout(resolve, 300));
    one.kill('SIGKILL');
    expect(await one.exited).toEqual({ code: null, signal: 'SIGKILL' });
    oneKilled = true;
    const lost = held.splice(0).map(({ id, res }) => (res.destroy(), id));
    expect(lost.length).toBeGreaterThan(0);

    // Every source stored, those the killed worker held by the other, once their claims lapsed.
    const status = await eventually(
      async () => {
        const sources = await statusOf(webs[0]!);
        return sources.every((s) => s.state === 'ok' && s.entry_count >= 2) ? sources : undefined;
      },
      'every source stored',
      2500,
    );
    const pollers = new Map(status.map((s) => [s.id, s.last_polled_by]));
    const byTwo = new RegExp(`:${two.pid}:worker$`);
    for (const id of ids.filter((id) => id !== FRESH)) {
      const to = answeredTo.get(id) ?? [];
      if (to.length === 1) continue;
      // Fetched twice only when the killed worker had its answer but died before storing it: the
      // other took the source up once the claim lapsed.
      expect([id, to]).toEqual([id, ['worker-one', 'worker-two']]);
      expect(pollers.get(id)).toMatch(byTwo);
    }
    // The requests the killed worker left open: asked once more, by the other worker, after the lapse.
    for (const id of lost) expect([id, feeds.hits(`/${id}.xml`), answeredTo.get(id), pollers.get(id)]).toEqual([id, 2, ['worker-two'], expect.stringMatching(byTwo)]);
    // The killed worker may have finished some sources first: those name it.
    for (const s of status) expect(s.last_polled_by).toMatch(new RegExp(`:(${one.pid}|${two.pid}):worker$`));
    // The other web process reads the same database.
    expect((await statusOf(webs[1]!)).map((s) => [s.id, s.entry_count])).toEqual(status.map((s) => [s.id, s.entry_count]));

    await expectFreshEverywhere(webs);

    // A web process never polls: no request came from one (the workers' User-Agents name their SITE_URL).
    const userAgents = new Set(ids.flatMap((id) => feeds.headersOf(`/${id}.xml`).map((h) => String(h['user-agent']))));
    expect([...userAgents].every((agent) => /worker-(one|two)\.test/.test(agent))).toBe(true);
    for (const child of [two, ...webs]) child.kill('SIGTERM');
    for (const child of [two, ...webs]) expect((await child.exited).code).toBe(0);
  });
});

describe('a worker and a web process apart on one SQLite file', () => {
  it('share the file: two workers poll each source once, the web process serves what they stored, fresh within 10 s', { timeout: 90_000 }, async () => {
    const ids = [...Array.from({ length: 20 }, (_, i) => `s-${String(i).padStart(2, '0')}`), FRESH];
    serveFeeds(ids);
    const file = await writeFeedsFile(ids);
    const common = { FEEDS_FILE: file, DATABASE_PATH: path.join(dir, 'portal.db'), POLL_SCHEDULE: OFTEN, SITE_URL: 'http://worker-one.test/' };
    const worker = start('worker', common);
    const secondWorker = start('worker', common);
    const web = start('web', common);
    await Promise.all(processes.map((p) => p.url));

    // The worker answers only its probes.
    expect((await fetch(`${await worker.url}healthz`)).status).toBe(200);
    expect((await fetch(`${await worker.url}metrics`)).status).toBe(200);
    expect((await fetch(`${await worker.url}`)).status).toBe(404);
    expect((await fetch(`${await worker.url}status.json`)).status).toBe(404);

    await eventually(async () => ((await statusOf(web)).every((s) => s.state === 'ok') ? true : undefined), 'every source stored', 2500);
    // Workers run below the web process's CPU priority, every thread of them: those V8 started
    // before the worker lowered it (its garbage collector's), and those started after (digest
    // threads); the web process keeps the priority it was given.
    if (existsSync('/proc/self/task')) {
      const own = getPriority();
      expect(new Set(threadNiceness(web.pid))).toEqual(new Set([own]));
      for (const child of [worker, secondWorker]) expect(new Set(threadNiceness(child.pid))).toEqual(new Set([Math.max(10, own)]));
    }
    // Two workers on one file: no write lost to the other's lock.
    for (const child of [worker, secondWorker]) expect(child.lines.filter((l) => l.level >= 50)).toEqual([]);
    for (const id of ids.filter((id) => id !== FRESH)) expect([id, answered.get(id)]).toEqual([id, 1]);
    await expectFreshEverywhere([web]);
    const metrics = await (await fetch(`${await web.url}metrics`)).text();
    expect(metrics).toMatch(/portal_entries_stored \d+/);
    expect(metrics).toMatch(/portal_polls_total\{outcome="updated"\} 0/);
    for (const child of processes) child.kill('SIGTERM');
    for (const child of processes) expect((await child.exited).code).toBe(0);
  });
});
