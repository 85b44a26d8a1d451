// What this machine gives, measured in the same run as the ingest figures: each library the first
// pass cannot do without, alone, on the ingest bench's own synthetic feeds. Their sum per entry is
// the floor of one thread's work; the first pass's CPU per entry is compared with it.
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Parser from 'rss-parser';
import sanitize from 'sanitize-html';
import { digestInline } from './lib/digest.js';
import { syntheticBodies } from './lib/feeds.js';
import { ITEMS } from './lib/ingest-setup.js';
import { benchArgs, cpuMicrosPerRound, log, median, round, tempDir, writeResult } from './lib/report.js';

const args = benchArgs();
const FEEDS = args.full ? 200 : 40;
const ROUNDS = args.full ? 5 : 3;

export interface Floor {
  what: string;
  perSecond: number;
  cpuUsPerEntry: number;
}

const feeds = syntheticBodies(FEEDS, ITEMS);
const entries = FEEDS * ITEMS;

/** Median over rounds (after one warm-up) of the CPU per entry of `work`. */
async function measure(what: string, work: () => unknown): Promise<Floor> {
  const perEntry = (await cpuMicrosPerRound(work, ROUNDS)).map((micros) => micros / entries);
  const cpuUsPerEntry = round(median(perEntry), 1);
  const floor = { what, perSecond: Math.round(1e6 / cpuUsPerEntry), cpuUsPerEntry };
  log(`floors: ${JSON.stringify(floor)}`);
  return floor;
}

async function contentHtmls(): Promise<string[]> {
  const parser = new Parser({ customFields: { item: [['content', 'contentHtml']] } });
  const html: string[] = [];
  for (const xml of feeds) {
    for (const item of (await parser.parseString(xml)).items as { content?: string; contentHtml?: string }[]) {
      html.push(item.content ?? item.contentHtml ?? '');
    }
  }
  return html;
}

/** Inserts every entry's text into a table with the portal's FTS5 index, in batches as the store does. */
function storeAndIndex(dir: string, texts: readonly string[]): () => void {
  let run = 0;
  return () => {
    const db = new SqliteDatabase(join(dir, `floor-${run++}.db`));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE entries (id INTEGER PRIMARY KEY, source_id TEXT, entry_id TEXT, title TEXT, content_html TEXT, content_text TEXT);
      CREATE UNIQUE INDEX entries_source_entry ON entries (source_id, entry_id);
      CREATE VIRTUAL TABLE entries_fts USING fts5(title, content_text, content='entries', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');`);
    const insert = db.prepare('INSERT INTO entries (source_id, entry_id, title, content_html, content_text) VALUES (?, ?, ?, ?, ?)');
    const index = db.prepare('INSERT INTO entries_fts (rowid, title, content_text) SELECT id, title, content_text FROM entries WHERE id > ?');
    const batch = db.transaction((from: number) => {
      for (let i = from; i < Math.min(texts.length, from + 2000); i += 1) insert.run(`s${i % 100}`, `e${i}`, `Title ${i}`, texts[i], texts[i]);
      index.run(from);
    });
    for (let from = 0; from < texts.length; from += 2000) batch(from);
    db.close();
  };
}

async function main(): Promise<void> {
  const temp = tempDir('floors');
  try {
    const html = await contentHtmls();
    const text = html.map((h) => h.replace(/<[^>]*>/g, ' '));
    const floors: Floor[] = [];
    floors.push(await measure('rss-parser parseString (no options)', async () => {
      for (const xml of feeds) await new Parser().parseString(xml);
    }));
    floors.push(await measure('sanitize-html (its defaults), each entry\'s content', () => {
      for (const h of html) sanitize(h);
    }));
    floors.push(await measure('better-sqlite3 insert + FTS5 index, batches of 2,000', storeAndIndex(temp.dir, text)));
    const sum = round(floors.reduce((total, f) => total + f.cpuUsPerEntry, 0), 1);
    const portalDigest = await measure('the portal\'s digestFeed (parse, filter, hash, sanitize)', () => digestInline(feeds));
    writeResult(args, { feeds: FEEDS, items: ITEMS, rounds: ROUNDS, floors, sumUsPerEntry: sum, oneThreadCeiling: Math.round(1e6 / sum), portalDigest });
  } finally {
    temp.remove();
  }
}

await main();
