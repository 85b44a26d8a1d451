// Growing: the same pages at 10k, 100k and 1M stored entries (quick: smaller). For each size: the
// database file size, and the cost of `/` and an older `/conversations` page, uncached (the first
// after a poll: version read, query, render, compress) and cached, measured in-process with inject.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { encodeCursor } from '../src/core/cursor.js';
import { buildApp } from '../src/web/index.js';
import { readStreamVersion } from '../src/store/index.js';
import { fillTo, openFilledStore, positionAt, realConfig, type FilledStore } from './lib/fill.js';
import { benchArgs, log, median, percentile, round, tempDir, writeResult } from './lib/report.js';

const args = benchArgs();
const SIZES = args.full ? [10_000, 100_000, 1_000_000] : [2_000, 10_000, 20_000];
const UNCACHED_RUNS = args.full ? 200 : 60;
const CACHED_RUNS = args.full ? 2000 : 500;
const HEADERS = { 'accept-encoding': 'br, gzip' };

interface PageCost {
  page: string;
  bytes: number;
  uncachedMedianMs: number;
  uncachedP90Ms: number;
  cachedMedianUs: number;
}

async function app(filled: FilledStore): Promise<FastifyInstance> {
  const { store, config } = filled;
  return buildApp({ db: store.db, getConfig: () => config, getSiteUrl: () => config.site.url, readStreamVersion: () => readStreamVersion(store.db) });
}

/** What a poll that changed entries leaves behind: a new stream version, and this process told so. */
function afterPoll(filled: FilledStore, portal: FastifyInstance): void {
  filled.store.sqlite.exec("UPDATE meta SET value = value + 1 WHERE key = 'stream_version'");
  portal.webContext.versions.invalidate();
}

async function timeRequest(portal: FastifyInstance, url: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await portal.inject({ method: 'GET', url, headers: HEADERS });
  const ms = performance.now() - started;
  if (response.statusCode !== 200) throw new Error(`bench: ${url} answered ${response.statusCode}`);
  return { ms, bytes: response.rawPayload.length };
}

async function pageCost(filled: FilledStore, portal: FastifyInstance, page: string, url: string): Promise<PageCost> {
  const uncached: number[] = [];
  let bytes = 0;
  for (let i = 0; i < UNCACHED_RUNS; i += 1) {
    afterPoll(filled, portal);
    const timed = await timeRequest(portal, url);
    uncached.push(timed.ms);
    bytes = timed.bytes;
  }
  const cached: number[] = [];
  for (let i = 0; i < CACHED_RUNS; i += 1) cached.push((await timeRequest(portal, url)).ms);
  // The first runs warm the JIT; the median looks past them.
  return {
    page,
    bytes,
    uncachedMedianMs: round(median(uncached.slice(5))),
    uncachedP90Ms: round(percentile(uncached.slice(5), 90)),
    cachedMedianUs: round(median(cached.slice(50)) * 1000, 0),
  };
}

async function main(): Promise<void> {
  const temp = tempDir('grow');
  try {
    const path = join(temp.dir, 'portal.db');
    const filled = await openFilledStore(path, await realConfig());
    const sizes = [];
    for (const size of SIZES) {
      const fillRate = fillTo(filled, size);
      const bytes = statSync(path).size;
      const older = encodeCursor(positionAt(filled.store.sqlite, Math.floor(size * 0.4)));
      const portal = await app(filled);
      const pages = [
        await pageCost(filled, portal, '/', '/'),
        await pageCost(filled, portal, '/conversations?before=… (40% deep)', `/conversations?before=${older}`),
        await pageCost(filled, portal, '/feed.xml', '/feed.xml'),
      ];
      await portal.close();
      const figures = { entries: size, fileMb: round(bytes / 1048576, 1), bytesPerEntry: Math.round(bytes / size), fillRate, pages };
      log(`grow: ${JSON.stringify(figures)}`);
      sizes.push(figures);
    }
    await filled.store.close();
    writeResult(args, { sizes, uncachedRuns: UNCACHED_RUNS, cachedRuns: CACHED_RUNS });
  } finally {
    temp.remove();
  }
}

await main();
