// The issue's orientation figures ("what this 2-core machine gives"), each measured here in the
// issue's own terms and in the same run as the marks: how fast this machine is next to the one
// those figures came from. Single-threaded work, so each rate is taken from the CPU time it used.
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import SqliteDatabase from 'better-sqlite3';
import Handlebars from 'handlebars';
import Parser from 'rss-parser';
import sanitize from 'sanitize-html';
import { syntheticBodies } from './lib/feeds.js';
import { benchArgs, cpuMicrosPerRound, log, median, round, tempDir, writeResult } from './lib/report.js';
import { buildApp } from '../src/web/index.js';
import { fillTo, openFilledStore, positionAt, realConfig, type FilledStore } from './lib/fill.js';
import { articleHtml, rng, title } from './lib/synthetic.js';

const args = benchArgs();
const ROUNDS = args.full ? 7 : 3;

export interface OrientationFigure {
  what: string;
  unit: string;
  /** The issue's figure, for orientation. */
  issue: number;
  here: number;
  /** here / issue: below 1, this machine is slower. */
  ratio: number;
}

/** Median over rounds (after one warm-up) of `units` done per CPU second by `work`. */
async function rate(units: number, work: () => unknown): Promise<number> {
  const rates = (await cpuMicrosPerRound(work, ROUNDS)).map((micros) => units / (micros / 1e6));
  return median(rates);
}

function figure(what: string, unit: string, issue: number, here: number): OrientationFigure {
  const result = { what, unit, issue, here: here >= 100 ? Math.round(here) : round(here, 1), ratio: round(here / issue) };
  log(`orientation: ${JSON.stringify(result)}`);
  return result;
}

async function rssParser(): Promise<OrientationFigure> {
  const feeds = syntheticBodies(20, 100);
  const parser = new Parser();
  const perSecond = await rate(feeds.length, async () => {
    for (const xml of feeds) await parser.parseString(xml);
  });
  return figure('rss-parser parseString, feeds of 100 items (~1 KB of HTML each)', 'feeds/s', 380, perSecond);
}

async function sanitizeHtml(): Promise<OrientationFigure> {
  const random = rng(11);
  const items = Array.from({ length: 2000 }, () => articleHtml(random, 1000));
  const perSecond = await rate(items.length, () => {
    for (const html of items) sanitize(html);
  });
  return figure('sanitize-html (defaults), items of ~1 KB', 'items/s', 13_000, perSecond);
}

async function upserts(dir: string): Promise<OrientationFigure> {
  const db = new SqliteDatabase(join(dir, 'upserts.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, seen INTEGER NOT NULL)');
  const upsert = db.prepare(
    'INSERT INTO items (id, title, body, seen) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, seen = excluded.seen',
  );
  const random = rng(12);
  const bodies = Array.from({ length: 100 }, () => articleHtml(random, 1000));
  const ROWS = 20_000;
  let pass = 0;
  const batch = db.transaction((from: number) => {
    for (let i = from; i < from + 1000; i += 1) upsert.run(`item-${i}`, `Title ${i}`, bodies[i % bodies.length], pass);
  });
  try {
    // Each round upserts the same ids: inserts in the warm-up, updates after, as a poll does.
    const perSecond = await rate(ROWS, () => {
      pass += 1;
      for (let from = 0; from < ROWS; from += 1000) batch(from);
    });
    return figure('better-sqlite3 upserts of ~1 KB rows, transactions of 1,000', 'rows/s', 130_000, perSecond);
  } finally {
    db.close();
  }
}

/** The portal's own database at 100,000 entries (quick: 20,000), its own index, the columns a stream page reads. */
async function keysetQuery(filled: FilledStore): Promise<OrientationFigure> {
  const { sqlite } = filled.store;
  const newest = sqlite.prepare(
    `SELECT id, source_id, title, link, published_at, excerpt FROM entries
     WHERE (published_at, id) < (?, ?) ORDER BY published_at DESC, id DESC LIMIT 50`,
  );
  const QUERIES = 2000;
  // Cursors spread over the whole stream: the first page and pages deep in the history alike.
  const cursors = Array.from({ length: QUERIES }, (_, i) => positionAt(sqlite, (i * 7919) % (filled.count - 50)));
  const perSecond = await rate(QUERIES, () => {
    for (const at of cursors) newest.all(at.publishedAt, at.id);
  });
  return figure(`keyset "newest 50" query, ${filled.count.toLocaleString('en-US')} rows (the portal's table and index)`, 'queries/s', 6_400, perSecond);
}

const PAGE_TEMPLATE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{title}}</title></head><body>
<main><h1>{{title}}</h1>{{#each entries}}<article><h2><a href="{{link}}">{{title}}</a></h2>
<p class="meta">{{source}} · <time datetime="{{iso}}">{{date}}</time></p><div class="content">{{{html}}}</div></article>
{{/each}}</main></body></html>`;

/** A 50-entry page of the bench's articles, about 66 KB: how fast Handlebars renders it. */
async function handlebarsRender(): Promise<OrientationFigure> {
  const render = Handlebars.compile(PAGE_TEMPLATE);
  const random = rng(14);
  const entries = Array.from({ length: 50 }, (_, i) => {
    const at = new Date(Date.UTC(2026, 9, 1) - i * 3_600_000);
    return { link: `https://example.org/posts/${i}`, title: title(random), source: `Feed ${i % 7}`, iso: at.toISOString(), date: at.toUTCString(), html: articleHtml(random, 950) };
  });
  const context = { title: 'Current Conversations', entries };
  const page = render(context);
  log(`orientation: the page is ${page.length} bytes`);
  const RENDERS = 500;
  const renders = await rate(RENDERS, () => {
    for (let i = 0; i < RENDERS; i += 1) render(context);
  });
  return figure(`Handlebars render of a 50-entry page (${Math.round(page.length / 1024)} KB)`, 'renders/s', 10_000, renders);
}

/**
 * gzip's speed depends on the text, so it is measured on the portal's own responses, uncompressed.
 * The issue's figure (1,000/s of a 66 KB page) is compared per byte: 66 MB/s.
 */
async function gzipPortalPages(filled: FilledStore): Promise<OrientationFigure> {
  const { store, config } = filled;
  const portal = await buildApp({ db: store.db, getConfig: () => config, getSiteUrl: () => config.site.url, readStreamVersion: () => 1 });
  const pages: Buffer[] = [];
  for (const url of ['/', '/feed.xml', '/atom.xml']) {
    const response = await portal.inject({ method: 'GET', url, headers: { 'accept-encoding': 'identity' } });
    if (response.statusCode !== 200) throw new Error(`bench: ${url} answered ${response.statusCode}`);
    pages.push(response.rawPayload);
  }
  await portal.close();
  const bytes = pages.reduce((sum, page) => sum + page.length, 0);
  const ROUNDS_OF_PAGES = 30;
  const bytesPerSecond = await rate(bytes * ROUNDS_OF_PAGES, () => {
    for (let i = 0; i < ROUNDS_OF_PAGES; i += 1) for (const page of pages) gzipSync(page, { level: 6 });
  });
  const sizes = pages.map((page) => `${Math.round(page.length / 1000)}`).join(' / ');
  return figure(`gzip level 6 of the portal's /, /feed.xml and /atom.xml (${sizes} KB)`, 'MB/s', 66, bytesPerSecond / 1e6);
}

async function main(): Promise<void> {
  const temp = tempDir('orientation');
  try {
    const filled = await openFilledStore(join(temp.dir, 'portal.db'), await realConfig());
    fillTo(filled, args.full ? 100_000 : 20_000);
    const figures = [
      await rssParser(),
      await sanitizeHtml(),
      await upserts(temp.dir),
      await keysetQuery(filled),
      await handlebarsRender(),
      await gzipPortalPages(filled),
    ];
    await filled.store.close();
    writeResult(args, { rounds: ROUNDS, figures, medianRatio: round(median(figures.map((f) => f.ratio))) });
  } finally {
    temp.remove();
  }
}

await main();
