import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestSchema, describeOnPostgres, makeEntry, makeSource, seed, type TestSchema } from '../../test/helpers/store.js';
import {
  finishPollRun,
  indexPendingEntries,
  openMigratedStore,
  readStreamVersion,
  recordFailure,
  saveFeedback,
  saveFetch,
  searchEntries,
  sharedSecret,
  startPollRun,
  claimIconCheck,
  saveIcon,
  type OpenedStore,
} from '../store/index.js';
import { runDbCopy } from './db-copy.js';

const t0 = Date.UTC(2026, 2, 1);

/** Titles and text a feed may send: markup, quotes, scripts of other languages, our own markers. */
const HOSTILE = [
  { title: '<script>alert("x")</script> Portals & privacy', text: 'Tags <b>stay</b> text; quotes \' " ` and a backslash \\ too.' },
  { title: 'مشاركة المرضى — patient engagement', text: 'Right-to-left \u202Eoverride\u202C and emoji 🩺🏥 in care.' },
  { title: 'Marks \uE000inside\uE001 a title', text: `${'Long caregiving text. '.repeat(400)}End.` },
  { title: "Robert'); DROP TABLE entries;--", text: '%_ LIKE wildcards and $1 placeholders ? :name' },
];

describeOnPostgres('npm run db:copy', () => {
  let dir: string;
  let file: string;
  let schema: TestSchema;
  let opened: OpenedStore[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portal-copy-'));
    file = join(dir, 'portal.db');
    schema = await createTestSchema();
  });
  afterEach(async () => {
    for (const store of opened) await store.close();
    opened = [];
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(target: Parameters<typeof openMigratedStore>[0]): Promise<OpenedStore> {
    const store = await openMigratedStore(target);
    opened.push(store);
    return store;
  }

  /** A SQLite portal after some passes: sources (one link-only, one failing), hostile entries, poll runs. */
  async function fillSqlite(): Promise<OpenedStore> {
    const store = await open({ kind: 'sqlite', path: file });
    const entries = HOSTILE.map((h, i) => makeEntry(`hostile-${i}`, { title: h.title, contentText: h.text, excerpt: h.text.slice(0, 200), contentHtml: `<p>${h.text}</p>`, publishedAt: t0 + i }));
    const many = Array.from({ length: 1203 }, (_, i) => makeEntry(`n${i}`, { title: `Note ${i} on telehealth`, publishedAt: t0 - i * 60_000 }));
    await seed(store, [makeSource('a'), makeSource('b', { category: 'policy' }), makeSource('links', { feed: undefined })], { a: entries }, t0);
    // More entries than one batch of the copy reads, some indexed for search and some still pending.
    await saveFetch(store.db, 'b', many.slice(0, 1000), { now: t0, durationMs: 1, nextPollAt: null, status: 200, maxEntries: 5000 });
    await indexPendingEntries(store.db);
    await saveFetch(store.db, 'b', many, { now: t0 + 1, durationMs: 1, nextPollAt: null, status: 200, maxEntries: 5000 });
    await recordFailure(store.db, 'b', { now: t0 + 5, durationMs: 3, status: 503, error: 'HTTP 503', errorKind: 'http', nextPollAt: t0 + 60_000 });
    // An icon's bytes, every value a byte can hold, go from a BLOB to a bytea unchanged.
    await claimIconCheck(store.db, { sourceId: 'a', checkedAt: null, foundFrom: 'https://a.example.org/' }, t0);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await saveIcon(store.db, 'a', { url: 'https://a.example.org/favicon.ico', mediaType: 'image/x-icon', bytes, hash: 'h' }, t0);
    for (const trigger of ['startup', 'schedule', 'cli']) {
      const id = await startPollRun(store.db, trigger, t0);
      await finishPollRun(store.db, id, t0 + 10, { sourcesDue: 2, fetched: 2, notModified: 0, errors: 1, entriesAdded: 7, entriesUpdated: 1 });
    }
    await saveFeedback(store.db, { usefulness: 5, cameFor: 'news', cameForOther: null, found: 'yes', comment: HOSTILE[3]!.title, email: null }, { now: t0, keepSince: 0 });
    await sharedSecret(store.db, 'feedback');
    return store;
  }

  /** Every row of every table, in key order, with the source's columns only (PostgreSQL adds its search column). */
  async function everyRow(store: OpenedStore) {
    const rows = async (table: 'sources' | 'entries' | 'poll_runs' | 'meta' | 'feedback_responses' | 'secrets' | 'source_icons', key: string) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- every table, read alike
      (await (store.db as any).selectFrom(table).selectAll().orderBy(key).execute()) as Record<string, unknown>[];
    const entries = (await rows('entries', 'id')).map(({ search_document: _omitted, ...row }) => row);
    const icons = (await rows('source_icons', 'source_id')).map((row) => ({ ...row, bytes: [...(row.bytes as Uint8Array)] }));
    return {
      sources: await rows('sources', 'id'),
      entries,
      poll_runs: await rows('poll_runs', 'id'),
      meta: await rows('meta', 'key'),
      feedback_responses: await rows('feedback_responses', 'id'),
      secrets: await rows('secrets', 'name'),
      icons,
    };
  }

  function command(args: string[]) {
    const out = { stdout: '', stderr: '' };
    const io = { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) };
    return { out, run: () => runDbCopy(args, file, io) };
  }

  it('copies every row of every table, hostile text intact, and search works on the copy', async () => {
    const sqlite = await fillSqlite();
    const before = await everyRow(sqlite);
    const { out, run } = command(['--to', schema.url]);
    expect(await run()).toBe(0);
    expect(out.stdout).toContain(`copied ${file} into `);
    expect(out.stdout).toMatch(/sources\s+3\n\s+entries\s+1207\n\s+poll_runs\s+3\n\s+meta\s+1\n\s+feedback_responses\s+1\n\s+secrets\s+1\n/);

    const postgres = await open({ kind: 'postgres', url: schema.url });
    const after = await everyRow(postgres);
    expect(after.sources).toEqual(before.sources);
    expect(after.entries).toEqual(before.entries);
    expect(after.poll_runs).toEqual(before.poll_runs);
    expect(after.feedback_responses).toEqual(before.feedback_responses);
    expect(after.secrets).toEqual(before.secrets);
    expect(after.icons).toEqual(before.icons);
    expect(after.icons[0]?.bytes).toHaveLength(256);
    // The stream version moves past the source's, so no cache keeps a page from before the copy.
    expect(after.meta).toEqual([{ key: 'stream_version', value: (before.meta[0]?.value as number) + 1 }]);

    expect((await searchEntries(postgres.db, 'script privacy', 10)).map((hit) => hit.title)).toEqual([HOSTILE[0]!.title]);
    expect((await searchEntries(postgres.db, 'caregiving', 10))[0]?.snippet).toContain('\uE000caregiving\uE001');
    expect(await searchEntries(postgres.db, 'telehealth', 5)).toHaveLength(5);
    // New rows get ids past the copied ones.
    const copiedMax = Math.max(...before.entries.map((e) => e.id as number));
    await saveFetch(postgres.db, 'a', [makeEntry('after-copy')], { now: t0 + 99, durationMs: 1, nextPollAt: null, status: 200, maxEntries: 100 });
    const added = await postgres.db.selectFrom('entries').select('id').where('entry_id', '=', 'after-copy').executeTakeFirstOrThrow();
    expect(added.id).toBeGreaterThan(copiedMax);
    const run2 = await startPollRun(postgres.db, 'schedule', t0 + 100);
    expect(run2).toBe(4);
  });

  it('refuses a target that already holds data, unless --force, which replaces it', async () => {
    const sqlite = await fillSqlite();
    expect(await command(['--to', schema.url]).run()).toBe(0);
    const postgres = await open({ kind: 'postgres', url: schema.url });
    await saveFetch(postgres.db, 'a', [makeEntry('only-in-postgres')], { now: t0 + 99, durationMs: 1, nextPollAt: null, status: 200, maxEntries: 100 });
    const versionBefore = await readStreamVersion(postgres.db);

    const refused = command(['--to', schema.url]);
    expect(await refused.run()).toBe(1);
    expect(refused.out.stderr).toContain('the target already holds 3 sources, 1208 entries, 3 poll_runs, 1 feedback_responses, 1 source_icons; nothing was copied');
    expect(refused.out.stdout).toBe('');
    expect(await postgres.db.selectFrom('entries').select('id').where('entry_id', '=', 'only-in-postgres').executeTakeFirst()).toBeDefined();

    const forced = command(['--to', schema.url, '--force']);
    expect(await forced.run()).toBe(0);
    expect(forced.out.stdout).toContain('replaced what the target held: 3 sources, 1208 entries, 3 poll_runs');
    const after = await everyRow(postgres);
    const source = await everyRow(sqlite);
    expect(after.entries).toEqual(source.entries);
    expect(await readStreamVersion(postgres.db)).toBeGreaterThan(versionBefore);
  });

  it('says what is wrong before touching anything: no --to, a bad URL, a missing file', async () => {
    const noTarget = command([]);
    expect(await noTarget.run()).toBe(2);
    expect(noTarget.out.stderr).toContain('--to names the PostgreSQL database');
    const badUrl = command(['--to', 'mysql://u:secret@h/db']);
    expect(await badUrl.run()).toBe(2);
    expect(badUrl.out.stderr).toContain('--to mysql://u:***@h/db: expected a PostgreSQL URL');
    expect(badUrl.out.stderr).not.toContain('secret');
    const missing = command(['--to', schema.url, '--from', join(dir, 'nothing-here.db')]);
    expect(await missing.run()).toBe(1);
    expect(missing.out.stderr).toContain('no SQLite database at');
  });
});
