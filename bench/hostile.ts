// A hostile feed and the visitors (issue 16): the web app and the refresher in one process, as
// `npm start` runs them, one visitor in its own process asking for /healthz VISITS_PER_SECOND times a
// second: first with nothing to do, then through a pass over the hostile feed (~1 MB nesting 142,000
// elements: an ordinary worker's digest), then over the same feed padded past 1,000,000 characters
// (a big worker's). The pool's budgets are production's.
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { FeedsConfig } from '../src/core/types.js';
import { createLogger } from '../src/log.js';
import { DIGEST_TIME_BUDGET_MS } from '../src/refresh/digest-pool.js';
import { defaultDigestWorkers, dueSources } from '../src/refresh/index.js';
import { openMigratedStore, readStreamVersion, syncSources } from '../src/store/index.js';
import { buildApp } from '../src/web/index.js';
import { startChild, type Child } from './lib/child.js';
import { benchRefresher } from './lib/ingest-setup.js';
import { benchArgs, log, round, tempDir, writeResult } from './lib/report.js';
import { visitFigures, visitsDuring, type VisitFigures } from './lib/visits.js';

const args = benchArgs();
const TIMEOUT_MS = 5000;
const VISITS_PER_SECOND = 100;
const IDLE_SECONDS = 2;
/** The mark: /healthz answers within this while a hostile feed is digested. */
const MARK_MS = 100;

const HOSTILE_SOURCES = [
  { id: 'hostile', path: 'hostile.xml', name: 'hostile feed (ordinary worker)' },
  { id: 'hostile-big', path: 'hostile-big.xml', name: 'hostile feed over 1,000,000 characters (big worker)' },
];

export interface HostileWindow extends VisitFigures {
  /** The portal's own event loop: its longest delay in the window, whatever the visitor saw. */
  loopDelayMaxMs: number;
  passMs?: number;
  outcome?: string;
  error?: string;
  peakRssMb?: number;
}

function hostileConfig(port: number): FeedsConfig {
  return {
    site: { title: 'Bench', tagline: 'Bench', url: 'https://portal.example.org/', timezone: 'America/Chicago', maxEntries: 200 },
    sources: HOSTILE_SOURCES.map(({ id, path }) => ({
      id,
      title: id,
      site: `http://${id}.example.org/`,
      feed: `http://127.0.0.1:${port}/${path}`,
      description: `The ${id} feed`,
      category: 'research',
    })),
  };
}

/** Visits to `url` while `during` runs, and the longest the portal's event loop was held up meanwhile. */
async function measureWindow(visitor: Child, url: string, name: string, during: () => Promise<unknown>): Promise<HostileWindow> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const latencies = await visitsDuring(visitor, url, 1000 / VISITS_PER_SECOND, during);
  loop.disable();
  return { ...visitFigures(name, latencies), loopDelayMaxMs: round(loop.max / 1e6, 1) };
}

/** The process's peak RSS (sampled every 20 ms) while `work` runs. */
async function peakRssDuring<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const result = await work();
    return { result, peakRssMb: round(Math.max(peak, process.memoryUsage.rss()) / 1048576, 1) };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const temp = tempDir('hostile');
  const host = startChild('feed-server.ts', [JSON.stringify({ feeds: 0, items: 0, hostile: true })]);
  const visitor = startChild('visitor.ts', []);
  try {
    const { port } = await host.next<{ cmd: string; port: number }>('ready');
    await visitor.next('ready');
    const store = await openMigratedStore({ kind: 'sqlite', path: join(temp.dir, 'hostile.db') });
    const config = hostileConfig(port);
    await syncSources(store.db, config.sources, Date.now());
    const app = await buildApp({
      db: store.db,
      getConfig: () => config,
      getSiteUrl: () => config.site.url,
      readStreamVersion: () => readStreamVersion(store.db),
      logger: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: true }) }),
      metrics: new Registry(),
    });
    const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/healthz`;
    const { refresher, pool, guard } = benchRefresher(store, config, defaultDigestWorkers(), TIMEOUT_MS);
    const windows = [await measureWindow(visitor, url, `${IDLE_SECONDS} s, nothing to do`, () => new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000)))];
    for (const { id, name } of HOSTILE_SOURCES) {
      const sources = (await dueSources(store.db, config, Date.now())).filter((source) => source.row.id === id);
      const pass: Pick<HostileWindow, 'passMs' | 'outcome' | 'error' | 'peakRssMb'> = {};
      const visits = await measureWindow(visitor, url, name, async () => {
        const started = performance.now();
        const measured = await peakRssDuring(() => refresher.refreshAll(sources, { trigger: 'bench' }));
        pass.passMs = Math.round(performance.now() - started);
        pass.outcome = measured.result.reports[0]?.outcome ?? 'none';
        pass.error = measured.result.reports[0]?.error;
        pass.peakRssMb = measured.peakRssMb;
      });
      windows.push({ ...visits, ...pass });
    }
    for (const window of windows) log(`hostile: ${JSON.stringify(window)}`);
    await app.close();
    await pool.close();
    await guard.close();
    await store.close();
    writeResult(args, {
      visitsPerSecond: VISITS_PER_SECOND,
      markMs: MARK_MS,
      digestWorkers: defaultDigestWorkers(),
      digestTimeBudgetMs: DIGEST_TIME_BUDGET_MS,
      digestCounts: pool.counts,
      windows,
    });
  } finally {
    await visitor.stop();
    await host.stop();
    temp.remove();
  }
}

await main();
