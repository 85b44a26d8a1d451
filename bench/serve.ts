// Serving: each portal route under autocannon beside a bare Fastify route sending the same bytes,
// in the same run, with the server process's own CPU time per request. Then search latency alone.
import { join } from 'node:path';
import { encodeCursor } from '../src/core/cursor.js';
import { startChild, type Child } from './lib/child.js';
import { fillTo, openFilledStore, positionAt, realConfig } from './lib/fill.js';
import { measureLoad, medianOfRounds, type LoadFigures } from './lib/load.js';
import { benchArgs, log, round, tempDir, writeResult } from './lib/report.js';
import { wordAtRank } from './lib/synthetic.js';

const args = benchArgs();
const ENTRIES = args.full ? 100_000 : 3_000;
const SECONDS = args.full ? 3 : 1;
/**
 * The portal and its bare routes share one process and two cores with the load generator: one
 * window each swung a ratio by ±0.1 run to run. Each is measured in ROUNDS interleaved windows
 * (portal, bare, bare + headers, again) and the medians compared.
 */
const ROUNDS = args.full ? 5 : 1;
const CONNECTIONS = 10;
const ACCEPT = 'br, gzip';

interface Route {
  name: string;
  path: string;
  cached: boolean;
}

async function prepare(dbPath: string): Promise<Route[]> {
  const filled = await openFilledStore(dbPath, await realConfig());
  const rate = fillTo(filled, ENTRIES);
  log(`serve: filled ${ENTRIES} entries (${rate}/s)`);
  const older = encodeCursor(positionAt(filled.store.sqlite, Math.floor(ENTRIES * 0.4)));
  const source = filled.feedSourceIds[0] as string;
  await filled.store.close();
  return [
    { name: '/', path: '/', cached: true },
    { name: '/conversations?before=… (40% deep)', path: `/conversations?before=${older}`, cached: true },
    { name: `/sources/${source}`, path: `/sources/${source}`, cached: true },
    { name: '/feed.xml', path: '/feed.xml', cached: true },
    { name: '/atom.xml', path: '/atom.xml', cached: true },
    // Mid-frequency words (~1-5% of entries each): what a visitor's two-word query looks like.
    { name: '/search?q= (two mid-frequency words)', path: `/search?q=${wordAtRank(150)}+${wordAtRank(400)}`, cached: false },
    // Words in nearly every entry: every row matches and is ranked; the worst case.
    { name: '/search?q= (two words in every entry)', path: '/search?q=patient+care', cached: false },
  ];
}

/** The portal's own node flags (run.js starts this bench with them: `npm start`'s young-generation size). */
const PORTAL_FLAGS = process.execArgv.filter((flag) => flag.startsWith('--max-semi-space-size'));

async function startServer(dbPath: string, routes: Route[], logLevel: string) {
  const server = startChild('serve-server.ts', [JSON.stringify({ dbPath, paths: routes.map((r) => r.path), acceptEncoding: ACCEPT, logLevel })], PORTAL_FLAGS);
  const ready = await server.next<{ cmd: string; portalPort: number; barePort: number; sizes: number[] }>('ready');
  return { server, ...ready };
}

interface Row {
  route: string;
  cached: boolean;
  bytes: number;
  portal: LoadFigures;
  bare: LoadFigures;
  /** The bare route sending the portal's response headers too (security, caching): the same bytes on the wire. */
  bareHeaders: LoadFigures;
  portalQuiet?: LoadFigures;
  ratio: number;
  ratioWithHeaders: number;
}

async function load(server: Child, url: string, connections = CONNECTIONS, warm = false, seconds = SECONDS): Promise<LoadFigures> {
  return measureLoad(server, { url, seconds, connections, headers: { 'accept-encoding': ACCEPT }, warm });
}

/** The same loads in interleaved rounds (the first warms each up), each load's median over them. */
async function interleaved(server: Child, urls: readonly string[]): Promise<LoadFigures[]> {
  const rounds: LoadFigures[][] = urls.map(() => []);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, url] of urls.entries()) rounds[index]?.push(await load(server, url, CONNECTIONS, round > 0));
  }
  return rounds.map(medianOfRounds);
}

async function main(): Promise<void> {
  const temp = tempDir('serve');
  try {
    const dbPath = join(temp.dir, 'portal.db');
    const routes = await prepare(dbPath);
    const rows: Row[] = [];
    const main = await startServer(dbPath, routes, 'info');
    for (const [index, route] of routes.entries()) {
      const [portal, bare, bareHeaders] = (await interleaved(main.server, [
        `http://127.0.0.1:${main.portalPort}${route.path}`,
        `http://127.0.0.1:${main.barePort}/bare/${index}`,
        `http://127.0.0.1:${main.barePort}/bare-headers/${index}`,
      ])) as [LoadFigures, LoadFigures, LoadFigures];
      log(`serve: ${route.name}: portal ${portal.cpuPerRequestUs} µs/req, bare ${bare.cpuPerRequestUs}, bare with headers ${bareHeaders.cpuPerRequestUs}`);
      rows.push({
        route: route.name,
        cached: route.cached,
        bytes: main.sizes[index] ?? 0,
        portal,
        bare,
        bareHeaders,
        ratio: round(bare.cpuPerRequestUs / portal.cpuPerRequestUs),
        ratioWithHeaders: round(bareHeaders.cpuPerRequestUs / portal.cpuPerRequestUs),
      });
    }
    // Search latency on its own: one connection, so p99 is the request's own time, not queueing.
    const search: Record<string, LoadFigures> = {};
    for (const route of routes.filter((r) => !r.cached)) {
      search[route.name] = await load(main.server, `http://127.0.0.1:${main.portalPort}${route.path}`, 1, false, SECONDS * ROUNDS);
    }
    await main.server.stop();
    // The same portal logging only warnings: how much of the gap is the per-request log lines (full mode).
    if (args.full) await measureQuiet(dbPath, routes, rows);
    writeResult(args, { entries: ENTRIES, seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, acceptEncoding: ACCEPT, rows, search });
  } finally {
    temp.remove();
  }
}

async function measureQuiet(dbPath: string, routes: Route[], rows: Row[]): Promise<void> {
  {
    const quiet = await startServer(dbPath, routes, 'warn');
    for (const [index, route] of routes.entries()) {
      const row = rows[index] as Row;
      row.portalQuiet = await load(quiet.server, `http://127.0.0.1:${quiet.portalPort}${route.path}`);
      log(`serve: ${route.name}: portal at LOG_LEVEL=warn ${row.portalQuiet.cpuPerRequestUs} µs/req`);
    }
    await quiet.server.stop();
  }
}

await main();
