// Ingesting: refreshAll with the real fetcher and a temp database file against a local feed host
// (its own process): a first full pass, a 304 pass, an unchanged-200 pass, and a pass where a tenth
// of the sources hang until the timeout. With --profile-only: the first pass alone (run under --cpu-prof).
import { join } from 'node:path';
import type { FeedsConfig } from '../src/core/types.js';
import { defaultDigestWorkers, dueSources, type Refresher } from '../src/refresh/index.js';
import { openMigratedStore, syncSources, type OpenedStore } from '../src/store/index.js';
import { startChild, type Child } from './lib/child.js';
import { ITEMS, benchRefresher, feedsConfig } from './lib/ingest-setup.js';
import { benchArgs, log, round, tempDir, writeResult } from './lib/report.js';

const args = benchArgs();
const profileOnly = process.argv.includes('--profile-only');
const FEEDS = args.full ? 1000 : 100;
const TIMEOUT_MS = args.full ? 5000 : 2000;
const workersArg = process.argv.find((a) => a.startsWith('--digest-workers='));
/** Digest worker threads, as main.ts starts them (one per core) unless told. */
const DIGEST_WORKERS = workersArg ? Number(workersArg.split('=')[1]) : defaultDigestWorkers();

export interface PassFigures {
  pass: string;
  wallMs: number;
  cpuMs: number;
  entriesAdded: number;
  entriesPerSecond: number;
  peakRssMb: number;
  errors: number;
  notModified: number;
}

async function runPass(name: string, refresher: Refresher, store: OpenedStore, config: FeedsConfig): Promise<PassFigures> {
  const sources = await dueSources(store.db, config, Date.now());
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await refresher.refreshAll(sources, { trigger: 'bench' });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const figures = {
    pass: name,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((used.user + used.system) / 1000),
    entriesAdded: result.totals.entriesAdded,
    entriesPerSecond: Math.round(result.totals.entriesAdded / (wallMs / 1000)),
    peakRssMb: round(peakRss / 1048576, 1),
    errors: result.totals.errors,
    notModified: result.totals.notModified,
  };
  log(`ingest: ${JSON.stringify(figures)}`);
  return figures;
}

async function setMode(host: Child, mode: string): Promise<void> {
  await host.ask({ cmd: 'mode', mode } as { cmd: string }, 'mode-set');
}

async function main(): Promise<void> {
  const temp = tempDir('ingest');
  const host = startChild('feed-server.ts', [JSON.stringify({ feeds: FEEDS, items: ITEMS })]);
  try {
    const { port, totalBytes } = await host.next<{ cmd: string; port: number; totalBytes: number }>('ready');
    const store = await openMigratedStore({ kind: 'sqlite', path: join(temp.dir, 'ingest.db') });
    const config = feedsConfig(port, FEEDS);
    await syncSources(store.db, config.sources, Date.now());
    // One Refresher for every pass, as main.ts keeps one for the process's life.
    const { refresher, pool, guard } = benchRefresher(store, config, DIGEST_WORKERS, TIMEOUT_MS);
    const rssBefore = round(process.memoryUsage.rss() / 1048576, 1);
    const passes: PassFigures[] = [];
    passes.push(await runPass('first (all new)', refresher, store, config));
    const maxRssMb = round(process.resourceUsage().maxRSS / 1024, 1);
    if (!profileOnly) {
      passes.push(await runPass('304 (all not modified)', refresher, store, config));
      await setMode(host, 'always-200');
      passes.push(await runPass('200, unchanged content', refresher, store, config));
      await setMode(host, 'hang');
      passes.push(await runPass('10% hang until timeout', refresher, store, config));
    }
    await pool.close();
    await guard.close();
    await store.close();
    writeResult(args, { digestWorkers: DIGEST_WORKERS, digestCounts: pool.counts, feeds: FEEDS, items: ITEMS, timeoutMs: TIMEOUT_MS, feedBytes: totalBytes, rssBeforeMb: rssBefore, maxRssMb, passes });
  } finally {
    await host.stop();
    temp.remove();
  }
}

await main();
