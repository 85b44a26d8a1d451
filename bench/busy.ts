// Visitors during a first pass: the web app and the refresher in one process, as `npm start` runs
// them (a worker per core digesting, the main thread fetching, storing and serving), one visitor in
// its own process asking for `/` VISITS_PER_SECOND times a second through a first ingest pass, then
// for AFTER_SECONDS after it. The pass runs as the scheduler runs one (createPollPasses, wired to
// the pages' cache as main.ts wires it), so the pages re-render at most once a second while it runs.
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createLogger } from '../src/log.js';
import { defaultDigestWorkers } from '../src/refresh/index.js';
import { openMigratedStore, readStreamVersion, syncSources } from '../src/store/index.js';
import { buildApp } from '../src/web/index.js';
import { createPollPasses } from '../src/worker/index.js';
import { startChild } from './lib/child.js';
import { ITEMS, benchRefresher, feedsConfig } from './lib/ingest-setup.js';
import { benchArgs, log, tempDir, writeResult } from './lib/report.js';
import { visitFigures, visitsDuring } from './lib/visits.js';

const args = benchArgs();
const FEEDS = args.full ? 1000 : 100;
const TIMEOUT_MS = 5000;
const VISITS_PER_SECOND = 20;
const AFTER_SECONDS = args.full ? 10 : 3;

async function main(): Promise<void> {
  const temp = tempDir('busy');
  const host = startChild('feed-server.ts', [JSON.stringify({ feeds: FEEDS, items: ITEMS })]);
  const visitor = startChild('visitor.ts', []);
  try {
    const { port } = await host.next<{ cmd: string; port: number }>('ready');
    await visitor.next('ready');
    const store = await openMigratedStore({ kind: 'sqlite', path: join(temp.dir, 'busy.db') });
    const config = feedsConfig(port, FEEDS);
    await syncSources(store.db, config.sources, Date.now());
    const app = await buildApp({
      db: store.db,
      getConfig: () => config,
      getSiteUrl: () => config.site.url,
      readStreamVersion: () => readStreamVersion(store.db),
      logger: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: true }) }),
      metrics: new Registry(),
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `${address}/`;
    const { refresher, pool, guard } = benchRefresher(store, config, defaultDigestWorkers(), TIMEOUT_MS);
    const pass = { wallMs: 0, entriesAdded: 0 };
    const passes = createPollPasses({
      db: store.db,
      refresher,
      getConfig: () => config,
      now: Date.now,
      onStreamChanged: () => app.webContext.versions.invalidate(),
      onReport: (report) => (pass.entriesAdded += report.added),
    });
    const during = await visitsDuring(visitor, url, 1000 / VISITS_PER_SECOND, async () => {
      const started = performance.now();
      await passes.runPass('bench', new AbortController().signal);
      pass.wallMs = Math.round(performance.now() - started);
    });
    const after = await visitsDuring(visitor, url, 1000 / VISITS_PER_SECOND, () => new Promise((resolve) => setTimeout(resolve, AFTER_SECONDS * 1000)));
    const windows = [visitFigures('during the first pass', during), visitFigures(`${AFTER_SECONDS} s after it`, after)];
    for (const window of windows) log(`busy: ${JSON.stringify(window)}`);
    await app.close();
    await pool.close();
    await guard.close();
    await store.close();
    writeResult(args, { feeds: FEEDS, items: ITEMS, visitsPerSecond: VISITS_PER_SECOND, digestWorkers: defaultDigestWorkers(), pass, windows });
  } finally {
    await visitor.stop();
    await host.stop();
    temp.remove();
  }
}

await main();
