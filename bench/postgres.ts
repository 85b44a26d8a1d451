// PostgreSQL and the roles apart (issue 18), with the portal as operators run it: real
// `node dist/src/main.js worker|web|poll` processes (built, as `npm run bench` builds them), each on
// a database of its own made for the run and dropped after it, the feeds file generated to name the
// local feed host (feed-server.ts). Measured:
// 1. the first pass over FEEDS × ITEMS by one worker and by two on PostgreSQL, and by one on SQLite:
//    entries stored / wall time from the workers' start until every source has a last_success_at
//    (read from the database every 100 ms), and each worker's peak RSS (VmHWM) and CPU (/proc);
// 2. a 304 pass on PostgreSQL by the one worker after its first pass and its icon look-ups (every
//    source made due again; the feed host answers 304): the worker's CPU in it against its CPU until
//    the first pass ended (which includes the process's start-up);
// 3. the uncached `/` over HOME_ENTRIES entries on the real feeds file's sources, timed in-process
//    as the grow bench times it (timeHome): on PostgreSQL (filled by INSERT ... SELECT
//    generate_series) and on SQLite (filled by fill.ts) beside it;
// 4. a visitor asking for `/` VISITS_PER_SECOND times a second from a `web` process while a
//    `worker` process on the same database (SQLite file; PostgreSQL) runs its first pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { stringify } from 'yaml';
import { openMigratedStore, readStreamVersion, syncSources, type OpenedStore, type StoreTarget } from '../src/store/index.js';
import { buildApp } from '../src/web/index.js';
import { startChild } from './lib/child.js';
import { BASE_TIME, REPO_ROOT, fillTo, openFilledStore, realConfig } from './lib/fill.js';
import { ITEMS, feedsConfig } from './lib/ingest-setup.js';
import { benchArgs, log, median, percentile, round, tempDir, writeResult } from './lib/report.js';
import { visitFigures, visitsDuring } from './lib/visits.js';

const args = benchArgs();
const FEEDS = args.full ? 1000 : 100;
const HOME_ENTRIES = args.full ? 1_000_000 : 100_000;
const HOME_RUNS = args.full ? 200 : 60;
const VISITS_PER_SECOND = 20;
const VISITOR_RUNS = args.full ? 3 : 1;
/** The server the bench makes its databases on (trust auth): BENCH_POSTGRES_URL, else the machine's own. */
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MAIN = resolve(REPO_ROOT, 'dist/src/main.js');
const NODE_OPTIONS = ['--max-semi-space-size=8'];
const temp = tempDir('postgres');
const made: string[] = [];

/** A fresh PostgreSQL database for one measurement; dropped at the end of the run. */
async function freshPostgres(name: string): Promise<{ kind: 'postgres'; url: string; database: string }> {
  const database = `bench_pg_${process.pid}_${name}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  made.push(database);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return { kind: 'postgres', url: url.href, database };
}

async function dropDatabases(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  for (const database of made) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}

function freshSqlite(name: string): { kind: 'sqlite'; path: string } {
  return { kind: 'sqlite', path: join(temp.dir, `${name}.db`) };
}

/** The bench's feeds file: FEEDS sources at the local feed host. */
function writeFeedsFile(port: number): string {
  const config = feedsConfig(port, FEEDS);
  const path = join(temp.dir, 'feeds.yaml');
  const site = { title: config.site.title, tagline: config.site.tagline, url: config.site.url, timezone: config.site.timezone, max_entries: config.site.maxEntries };
  // Each site at the feed host too (a 404: no icon), so the icon look-ups after a pass are quick local misses, not DNS failures.
  const sources = config.sources.map(({ id, title, feed, description, category }, n) => ({ id, title, site: `http://127.0.0.1:${port}/sites/${n}/`, feed, description, category }));
  writeFileSync(path, stringify({ site, sources }));
  return path;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

function roleEnv(target: StoreTarget, feedsFile: string, port: number, schedule = '*/30 * * * *'): NodeJS.ProcessEnv {
  const database = target.kind === 'postgres' ? { DATABASE_URL: target.url } : { DATABASE_PATH: target.path };
  return { ...process.env, ...database, FEEDS_FILE: feedsFile, PORT: String(port), LOG_LEVEL: 'warn', POLL_SCHEDULE: schedule, FETCH_TIMEOUT_MS: '5000' };
}

/** `node dist/src/main.js <role>`, its logs (warn and up) on this process's stderr. */
function startRole(role: 'web' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...NODE_OPTIONS, MAIN, role], { env, cwd: REPO_ROOT, stdio: ['ignore', process.stderr, 'inherit'] });
}

async function stopRole(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** A process's peak RSS (VmHWM) and CPU time so far (utime + stime), from /proc. */
function processFigures(pid: number): { peakRssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th (clock ticks, 100/s).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakRssMb: round(hwmKb / 1024, 1), cpuMs: ticks * 10 };
}

async function count(store: OpenedStore, query: 'entries' | 'succeeded'): Promise<number> {
  const row =
    query === 'entries'
      ? await store.db.selectFrom('entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
      : await store.db.selectFrom('sources').select((eb) => eb.fn.countAll().as('n')).where('last_success_at', 'is not', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Resolves once every source has a last_success_at. */
async function untilAllSucceeded(store: OpenedStore): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  while ((await count(store, 'succeeded')) < FEEDS) {
    if (Date.now() > deadline) throw new Error('bench: the first pass did not finish within 15 minutes');
    await sleep(100);
  }
}

interface FirstPass {
  database: string;
  workers: number;
  wallMs: number;
  entries: number;
  entriesPerSecond: number;
  perWorker: { peakRssMb: number; cpuMs: number }[];
}

/** The first pass over the feeds by `workers` worker processes on `target` (migrated here first). */
async function firstPass(
  target: StoreTarget,
  feedsFile: string,
  workers: number,
  options: { schedule?: string; afterPass?: (store: OpenedStore, worker: ChildProcess, cpuMs: number) => Promise<void> } = {},
): Promise<FirstPass> {
  const store = await openMigratedStore(target);
  try {
    const started = performance.now();
    const children = Array.from({ length: workers }, () => startRole('worker', roleEnv(target, feedsFile, 0, options.schedule)));
    await untilAllSucceeded(store);
    const wallMs = Math.round(performance.now() - started);
    const perWorker = children.map((child) => processFigures(child.pid as number));
    const entries = await count(store, 'entries');
    const figures = { database: target.kind, workers, wallMs, entries, entriesPerSecond: Math.round(entries / (wallMs / 1000)), perWorker };
    log(`postgres: first pass ${JSON.stringify(figures)}`);
    if (options.afterPass && children[0] && perWorker[0]) await options.afterPass(store, children[0], perWorker[0].cpuMs);
    for (const child of children) await stopRole(child);
    return figures;
  } finally {
    await store.close();
  }
}

/** Polls `query` every 100 ms until it reaches `target`; false if `ms` passed first. */
async function until(query: () => Promise<number>, target: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while ((await query()) < target) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * The 304 pass, by the worker that made the first pass (its schedule ticks every 10 s). After its
 * first pass the worker looks for each source's icon (a 404 at the feed host): that is waited
 * for first (source_icons rows), so the 304 pass's CPU is its own. Then every source is
 * made due again in the database, and the worker's CPU taken until every source was attempted
 * again (an idle tick or two in between cost next to nothing).
 */
async function notModifiedPass(store: OpenedStore, worker: ChildProcess, firstPassCpuMs: number) {
  const started = performance.now();
  const icons = async () => Number((await store.db.selectFrom('source_icons').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const iconsDone = await until(icons, FEEDS, 120_000);
  await sleep(1000); // the last looks claimed (a row each) finish
  const iconsMs = Math.round(performance.now() - started);
  const before = processFigures(worker.pid as number).cpuMs;
  const marked = Date.now();
  await store.db.updateTable('sources').set({ next_poll_at: null }).execute();
  const attempted = async () => Number((await store.db.selectFrom('sources').select((eb) => eb.fn.countAll().as('n')).where('last_attempt_at', '>', marked).executeTakeFirstOrThrow()).n);
  if (!(await until(attempted, FEEDS, 5 * 60_000))) throw new Error('bench: the 304 pass did not finish within 5 minutes');
  const cpuMs = processFigures(worker.pid as number).cpuMs - before;
  // Every source attempted is not the pass recorded: its row is finished after the last save.
  const lastRun = () => store.db.selectFrom('poll_runs').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  if (!(await until(async () => ((await lastRun()).finished_at === null ? 0 : 1), 1, 60_000))) throw new Error('bench: the 304 pass was not recorded within a minute');
  const last = await lastRun();
  const figures = {
    cpuMs,
    firstPassCpuMs,
    passMs: Number(last.finished_at) - Number(last.started_at),
    iconsMs,
    iconsDone,
    sourcesDue: last.sources_due,
    notModified: last.not_modified,
    fetched: last.fetched,
  };
  log(`postgres: 304 pass ${JSON.stringify(figures)}`);
  return figures;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET through a keep-alive socket, the body drained; resolves with its time in ms. */
function timedGet(url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise((done, fail) => {
    get(url, { agent, headers: { 'accept-encoding': 'br, gzip' } }, (response) => {
      response.resume();
      response.on('end', () => done({ ms: performance.now() - started, status: response.statusCode ?? 0 }));
      response.on('error', fail);
    }).on('error', fail);
  });
}

async function untilAnswers(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await timedGet(url).catch(() => ({ status: 0 }));
    if (answer.status === 200) return;
    if (Date.now() > deadline) throw new Error(`bench: ${url} did not answer 200 within a minute`);
    await sleep(200);
  }
}

/**
 * HOME_ENTRIES entries on the real feeds file's sources, in one INSERT ... SELECT per 100,000:
 * entry i is i minutes older than the newest (as fill.ts), about 600 characters of text (the
 * search column PostgreSQL computes from it), its own link and title keys, no duplicates.
 */
async function fillPostgres(store: OpenedStore): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const batch = 100_000;
  for (let from = 0; from < HOME_ENTRIES; from += batch) {
    const to = Math.min(HOME_ENTRIES, from + batch) - 1;
    await sql`INSERT INTO entries (source_id, entry_id, title, link, author, published_at, updated_at, first_seen_at, changed_at,
        categories, enclosures, content_html, content_text, excerpt, content_hash, link_key, title_key, duplicate_of)
      SELECT s.ids[1 + i % s.n], t.link, t.title, t.link, 'A. Writer', ${BASE_TIME} - i * 60000, NULL, ${BASE_TIME} - i * 60000, ${BASE_TIME} - i * 60000,
        '["care","health"]', '[]', '<p>' || t.body || '</p>', t.body, left(t.body, 240), md5(t.link), md5('link ' || t.link), md5('title ' || t.title), NULL
      FROM generate_series(${from}::bigint, ${to}::bigint) AS i,
        (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM sources WHERE feed_url IS NOT NULL) AS s,
        LATERAL (SELECT 'https://' || s.ids[1 + i % s.n] || '.example.org/posts/' || i AS link,
          (ARRAY['Care teams', 'Patient portals', 'Telehealth', 'Health records', 'Rural clinics'])[1 + i % 5] || ' update ' || i AS title,
          repeat('Patients and care teams share ' || md5(i::text) || ' notes on visits, follow-up and medication. ', 6) AS body) AS t`.execute(store.db);
    log(`postgres: filled ${to + 1} entries`);
  }
  await sql`UPDATE sources SET entry_count = c.n, newest_entry_at = c.newest
    FROM (SELECT source_id, count(*) AS n, max(published_at) AS newest FROM entries GROUP BY source_id) AS c WHERE c.source_id = sources.id`.execute(store.db);
  await sql`UPDATE meta SET value = value + 1 WHERE key = 'stream_version'`.execute(store.db);
  // What autovacuum (entries) and the portal's start (sources: src/store/meta.ts) would have done by then: the planner's statistics.
  await sql`VACUUM ANALYZE entries`.execute(store.db);
  await sql`ANALYZE sources`.execute(store.db);
  // And written the fill out: a checkpoint writing gigabytes behind the timed pages is the fill's cost, not theirs.
  await sql`CHECKPOINT`.execute(store.db);
  const { rows } = await sql<{ bytes: string }>`SELECT pg_database_size(current_database()) AS bytes`.execute(store.db);
  return { seconds: round((performance.now() - started) / 1000, 1), bytes: Number(rows[0]?.bytes) };
}

/**
 * The uncached `/` over `store` (filled), timed as the grow bench times it: the portal's app in this
 * process, `inject` with `Accept-Encoding: br, gzip`, the stream version bumped in the database and
 * the app told (as after a poll in its own process, so the request waits for the render: query,
 * render, compress). A change made by another process is served from the cache while the page
 * renders (src/web/cache.ts), so no visitor waits for this; it is what each change costs the web process.
 */
async function timeHome(store: OpenedStore, bumpVersion: () => Promise<unknown>) {
  const config = await realConfig();
  const portal = await buildApp({ db: store.db, getConfig: () => config, getSiteUrl: () => config.site.url, readStreamVersion: () => readStreamVersion(store.db) });
  const get = async () => {
    const started = performance.now();
    const response = await portal.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br, gzip' } });
    if (response.statusCode !== 200) throw new Error(`bench: / answered ${response.statusCode}`);
    return performance.now() - started;
  };
  try {
    const uncached: number[] = [];
    for (let run = 0; run < HOME_RUNS + 10; run += 1) {
      await bumpVersion();
      portal.webContext.versions.invalidate();
      const ms = await get();
      if (run >= 10) uncached.push(ms); // the first ten warm the statement caches and V8
    }
    const cached: number[] = [];
    for (let run = 0; run < 2000; run += 1) cached.push(await get());
    return { runs: uncached.length, uncachedMedianMs: round(median(uncached), 2), uncachedP90Ms: round(percentile(uncached, 90), 2), cachedMedianUs: round(median(cached.slice(200)) * 1000, 0) };
  } finally {
    await portal.close();
  }
}

async function homePage() {
  const rows = [];
  const target = await freshPostgres('home');
  const store = await openMigratedStore(target);
  try {
    await syncSources(store.db, (await realConfig()).sources, BASE_TIME - 1000 * 86_400_000);
    const fill = await fillPostgres(store);
    const bump = () => sql`UPDATE meta SET value = value + 1 WHERE key = 'stream_version'`.execute(store.db);
    const fillFigures = { entries: HOME_ENTRIES, fillSeconds: fill.seconds, databaseMb: round(fill.bytes / 1048576, 0) };
    rows.push({ database: 'postgres', ...fillFigures, ...(await timeHome(store, bump)) });
    log(`postgres: home ${JSON.stringify(rows.at(-1))}`);
  } finally {
    await store.close();
  }
  const sqlite = freshSqlite('home');
  const filled = await openFilledStore(sqlite.path, await realConfig());
  try {
    const started = performance.now();
    fillTo(filled, HOME_ENTRIES);
    const fillFigures = { entries: HOME_ENTRIES, fillSeconds: round((performance.now() - started) / 1000, 1), databaseMb: round(statSync(sqlite.path).size / 1048576, 0) };
    const bump = async () => filled.store.sqlite.exec("UPDATE meta SET value = value + 1 WHERE key = 'stream_version'");
    rows.push({ database: 'sqlite', ...fillFigures, ...(await timeHome(filled.store, bump)) });
    log(`postgres: home ${JSON.stringify(rows.at(-1))}`);
  } finally {
    await filled.store.close();
  }
  return rows;
}

/** One `web` and one `worker` on `target`; a visitor at `/` through the worker's first pass. */
async function visitorApart(target: StoreTarget, feedsFile: string) {
  const store = await openMigratedStore(target);
  const visitor = startChild('visitor.ts', []);
  const port = await freePort();
  const web = startRole('web', roleEnv(target, feedsFile, port));
  try {
    await visitor.next('ready');
    const url = `http://127.0.0.1:${port}/`;
    await untilAnswers(url);
    const pass = { wallMs: 0, entries: 0 };
    const latencies = await visitsDuring(visitor, url, 1000 / VISITS_PER_SECOND, async () => {
      const started = performance.now();
      const worker = startRole('worker', roleEnv(target, feedsFile, 0));
      await untilAllSucceeded(store);
      pass.wallMs = Math.round(performance.now() - started);
      await stopRole(worker);
    });
    pass.entries = await count(store, 'entries');
    const figures = { database: target.kind, pass, ...visitFigures('during the first pass', latencies) };
    log(`postgres: visitor ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    await stopRole(web);
    await visitor.stop();
    await store.close();
  }
}

async function main(): Promise<void> {
  const host = startChild('feed-server.ts', [JSON.stringify({ feeds: FEEDS, items: ITEMS })]);
  try {
    const { port } = await host.next<{ cmd: string; port: number }>('ready');
    const feedsFile = writeFeedsFile(port);
    let notModified: Awaited<ReturnType<typeof notModifiedPass>> | undefined;
    const pgOne = await firstPass(await freshPostgres('one'), feedsFile, 1, {
      schedule: '*/10 * * * * *',
      afterPass: async (store, worker, cpuMs) => void (notModified = await notModifiedPass(store, worker, cpuMs)),
    });
    const pgTwo = await firstPass(await freshPostgres('two'), feedsFile, 2);
    const sqliteOne = await firstPass(freshSqlite('one'), feedsFile, 1);
    const home = await homePage();
    // Each database in turn, VISITOR_RUNS times: a p99 of a few hundred visits on a shared machine moves by several ms from run to run.
    const visitors = [];
    for (let run = 0; run < VISITOR_RUNS; run += 1) {
      visitors.push(await visitorApart(freshSqlite(`apart${run}`), feedsFile));
      visitors.push(await visitorApart(await freshPostgres(`apart${run}`), feedsFile));
    }
    writeResult(args, { feeds: FEEDS, items: ITEMS, visitsPerSecond: VISITS_PER_SECOND, firstPasses: [pgOne, pgTwo, sqliteOne], notModified, home, visitors });
  } finally {
    await host.stop();
    await dropDatabases().catch((error: unknown) => log(`postgres: could not drop the bench databases: ${String(error)}`));
    temp.remove();
  }
}

await main();
