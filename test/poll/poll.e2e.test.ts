// `npm run poll` end to end, in-process: a temp database, a temp feeds file, feeds on 127.0.0.1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPoll, type PollIo, type PollRow } from '../../src/cli/poll.js';
import { openStore } from '../../src/store/index.js';
import { feedWithEtag, fixture, plainFeed, startFeedServer, statusRoute, type FeedServer } from '../fixtures/refresh/feed-server.js';

let server: FeedServer;
let dir: string;

beforeEach(async () => {
  server = await startFeedServer();
  dir = await mkdtemp(path.join(tmpdir(), 'poll-e2e-'));
  server.route('/blog.xml', feedWithEtag(() => fixture('blog-v1.xml'), () => '"blog-1"'));
  server.route('/undated.xml', plainFeed(() => fixture('undated.xml')));
  server.route('/broken.xml', plainFeed(() => fixture('malformed.xml')));
  server.route('/gone.xml', statusRoute(410));
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** The sources of most tests: [id, feed path] (no path: link-only). */
const SOURCES: ReadonlyArray<readonly [string, string?]> = [['blog', 'blog.xml'], ['undated', 'undated.xml'], ['broken', 'broken.xml'], ['gone', 'gone.xml'], ['link-only']];

async function writeFeedsFile(sources = SOURCES): Promise<string> {
  const file = path.join(dir, 'feeds.yaml');
  const source = (id: string, feed?: string) =>
    [
      `  - id: ${id}`,
      `    title: Source ${id}`,
      `    site: https://${id}.example.org/`,
      ...(feed ? [`    feed: ${server.url}${feed}`] : []),
      `    description: The ${id} source.`,
      `    category: advocacy`,
    ].join('\n');
  const text = [
    'site:',
    '  title: Test Portal',
    '  tagline: For tests.',
    '  url: https://portal.example.org/',
    'sources:',
    ...sources.map(([id, feed]) => source(id, feed)),
    '',
  ].join('\n');
  await writeFile(file, text);
  return file;
}

async function poll(args: string[], extra: Partial<PollIo> = {}, sources = SOURCES) {
  const out = { stdout: '', stderr: '' };
  const env = {
    FEEDS_FILE: await writeFeedsFile(sources),
    DATABASE_PATH: path.join(dir, 'data', 'portal.db'),
    FETCH_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'info',
  };
  const code = await runPoll(args, {
    env,
    version: '9.9.9',
    stdout: (s) => void (out.stdout += s),
    stderr: (s) => void (out.stderr += s),
    ...extra,
  });
  return { code, ...out };
}

describe('poll command', () => {
  it('prints an aligned line per due source and a summary, and exits 0 despite failing sources', async () => {
    const { code, stdout, stderr } = await poll([]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+outcome\s+status\s+new\s+updated\s+ms$/);
    const byId = Object.fromEntries(lines.slice(1, -1).map((l) => [l.split(/\s+/)[0], l.split(/\s+/)]));
    expect(Object.keys(byId)).toEqual(['blog', 'undated', 'broken', 'gone']);
    expect(byId.blog?.slice(1, 5)).toEqual(['updated', '200', '3', '0']);
    expect(byId.undated?.slice(1, 5)).toEqual(['updated', '200', '2', '0']);
    expect(byId.broken?.slice(1, 5)).toEqual(['error', '200', '0', '0']);
    expect(lines.find((l) => l.startsWith('broken'))).toContain('parse: ');
    expect(byId.gone?.slice(1, 3)).toEqual(['gone', '410']);
    // Every column starts at the same place on every line.
    const outcomeColumn = lines[0]?.indexOf('outcome');
    expect(lines.slice(1, -1).map((l) => l.slice(outcomeColumn).split(' ')[0])).toEqual(['updated', 'updated', 'error', 'gone']);
    expect(lines.at(-1)).toBe('4 sources: 2 updated, 1 error, 1 gone; 5 new entries, 0 updated.');
    // Logs went to standard error, as JSON lines.
    const logLines = stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logLines.filter((l) => typeof l.source_id === 'string').map((l) => l.source_id)).toHaveLength(4);
    expect(server.headersOf('/blog.xml')[0]?.['user-agent']).toBe('PatientEngagementPortal/9.9.9 (+https://portal.example.org/)');
  });

  it('--json prints one JSON array and nothing else; a second pass polls every source again, backoff or not, but not a 410', async () => {
    const first = await poll(['--json']);
    expect(first.code).toBe(0);
    const rows = JSON.parse(first.stdout) as PollRow[];
    expect(rows.map((r) => [r.id, r.outcome, r.status, r.new, r.updated])).toEqual([
      ['blog', 'updated', 200, 3, 0],
      ['undated', 'updated', 200, 2, 0],
      ['broken', 'error', 200, 0, 0],
      ['gone', 'gone', 410, 0, 0],
    ]);
    expect(rows.every((r) => typeof r.ms === 'number')).toBe(true);
    expect(rows[2]?.error).toMatch(/^parse: /);

    const second = await poll(['--json']);
    const again = JSON.parse(second.stdout) as PollRow[];
    // An operator's poll ignores broken's backoff; gone stays stopped, with a line that says why.
    expect(again.map((r) => [r.id, r.outcome, r.status, r.new, r.updated])).toEqual([
      ['blog', 'not-modified', 304, 0, 0],
      ['undated', 'unchanged', 200, 0, 0],
      ['broken', 'error', 200, 0, 0],
      ['gone', 'gone', 410, 0, 0],
    ]);
    expect(again[3]?.error).toMatch(/410 Gone: change its feed URL/);
    expect(server.hits('/broken.xml')).toBe(2);
    expect(server.hits('/gone.xml')).toBe(1);
  });

  it("reports a source another process holds as taken and leaves it alone; records itself as the poller of the rest", async () => {
    await poll(['--json']);
    const store = openStore({ kind: 'sqlite', path: path.join(dir, 'data', 'portal.db') });
    try {
      await store.db.updateTable('sources').set({ claimed_by: 'other-host:77:worker', claimed_until: Date.now() + 60_000 }).where('id', '=', 'blog').execute();
      const { code, stdout } = await poll(['--json']);
      expect(code).toBe(0);
      const rows = JSON.parse(stdout) as PollRow[];
      expect(rows.find((r) => r.id === 'blog')).toMatchObject({ outcome: 'taken', status: null, new: 0 });
      expect(rows.find((r) => r.id === 'undated')?.outcome).toBe('unchanged');
      expect(server.hits('/blog.xml')).toBe(1);
      const table = await poll([]);
      expect(table.stdout).toMatch(/^blog\s+taken\s+-\s+0\s+0\s+\d+\s+another process is fetching it/m);
      expect(table.stdout).toContain('1 taken by another process');
      const rowsAfter = await store.db.selectFrom('sources').select(['id', 'claimed_by', 'last_polled_by']).orderBy('position').execute();
      expect(rowsAfter.find((r) => r.id === 'blog')?.claimed_by).toBe('other-host:77:worker');
      expect(rowsAfter.find((r) => r.id === 'undated')).toMatchObject({ claimed_by: null, last_polled_by: expect.stringMatching(/^.+:\d+:poll$/) });
    } finally {
      await store.close();
    }
  });

  it('stores what it fetched in the DATABASE_PATH database, with a poll run', async () => {
    await poll([]);
    const store = openStore({ kind: 'sqlite', path: path.join(dir, 'data', 'portal.db') });
    try {
      const counts = await store.db.selectFrom('entries').select(['source_id']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('source_id').orderBy('source_id').execute();
      expect(counts).toEqual([
        { source_id: 'blog', n: 3 },
        { source_id: 'undated', n: 2 },
      ]);
      const run = await store.db.selectFrom('poll_runs').selectAll().executeTakeFirstOrThrow();
      expect(run).toMatchObject({ trigger: 'cli', sources_due: 4, fetched: 4, errors: 2, entries_added: 5 });
    } finally {
      await store.close();
    }
  });

  it('shows progress on standard error only when standard output is a terminal', async () => {
    const tty = await poll([], { isTTY: true });
    expect(tty.stderr).toContain('4/4 sources done');
    expect(tty.stdout).not.toContain('sources done');
    const json = await poll(['--json'], { isTTY: true });
    expect(json.stderr).not.toContain('sources done');
  });

  it('exits 1 with FILE:LINE:COL lines when the feeds file is invalid, touching no database', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'site:\n  title: Test\nsources: []\nextra: 1\n');
    const out = { stdout: '', stderr: '' };
    const code = await runPoll([], {
      env: { FEEDS_FILE: file, DATABASE_PATH: path.join(dir, 'never', 'portal.db') },
      version: '1',
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
    });
    expect(code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.trim().split('\n').every((l) => l.startsWith(`${file}:`))).toBe(true);
  });
});

describe('poll command: what a server asked for', () => {
  const HOUR = 3_600_000;
  const PAUSED: ReadonlyArray<readonly [string, string]> = [['busy', 'busy.xml'], ['down', 'down.xml'], ['gone', 'gone.xml'], ['failing', 'failing.xml']];
  /** The 503's Retry-After, an HTTP-date two hours ahead (whole seconds, as HTTP writes them). */
  let downUntil: number;

  beforeEach(() => {
    downUntil = Math.floor((Date.now() + 2 * HOUR) / 1000) * 1000;
    server.route('/busy.xml', statusRoute(429, { 'retry-after': '3600' }));
    server.route('/down.xml', statusRoute(503, { 'retry-after': new Date(downUntil).toUTCString() }));
    server.route('/failing.xml', statusRoute(500));
  });

  const pollJson = async (args: string[] = []) => {
    const { code, stdout } = await poll(['--json', ...args], {}, PAUSED);
    expect(code).toBe(0);
    return new Map((JSON.parse(stdout) as PollRow[]).map((row) => [row.id, row]));
  };
  const hits = () => PAUSED.map(([, feed]) => server.hits(`/${feed}`));

  it('a second poll leaves a Retry-After pause and a 410 alone, saying until when; an ordinary backoff is polled; --force polls them all', async () => {
    const firstAt = Date.now();
    const first = await pollJson();
    expect([...first.values()].map((r) => [r.id, r.outcome, r.status])).toEqual([
      ['busy', 'error', 429],
      ['down', 'error', 503],
      ['gone', 'gone', 410],
      ['failing', 'error', 500],
    ]);
    expect(hits()).toEqual([1, 1, 1, 1]);

    const second = await pollJson();
    // The 500's backoff is the portal's own: an operator's poll overrides it. The others were not asked.
    expect(hits()).toEqual([1, 1, 1, 2]);
    expect(second.get('failing')).toMatchObject({ outcome: 'error', status: 500 });
    expect(second.get('busy')).toMatchObject({ outcome: 'paused', status: 429, new: 0, updated: 0, ms: 0 });
    const busyUntil = Date.parse(second.get('busy')?.until ?? '');
    expect(busyUntil).toBeGreaterThanOrEqual(firstAt + HOUR);
    expect(busyUntil).toBeLessThanOrEqual(Date.now() + HOUR);
    expect(second.get('busy')?.error).toMatch(/Retry-After\) until \d{4}-\d\d-\d\dT[\d:.]+Z; --force polls it anyway$/);
    expect(second.get('down')).toMatchObject({ outcome: 'paused', status: 503 });
    expect(Math.abs(Date.parse(second.get('down')?.until ?? '') - downUntil)).toBeLessThan(5_000);
    expect(second.get('gone')).toMatchObject({ outcome: 'gone', status: 410 });
    expect(second.get('gone')).not.toHaveProperty('until');

    const forced = await pollJson(['--force']);
    expect(hits()).toEqual([2, 2, 2, 3]);
    expect([...forced.values()].map((r) => [r.id, r.outcome, r.status])).toEqual([
      ['busy', 'error', 429],
      ['down', 'error', 503],
      ['gone', 'gone', 410],
      ['failing', 'error', 500],
    ]);
  });

  it('the table gives each held-back source a line saying why and until when, and counts them', async () => {
    await poll([], {}, PAUSED);
    const { stdout } = await poll([], {}, PAUSED);
    const lines = stdout.trimEnd().split('\n');
    const line = (id: string) => lines.find((l) => l.startsWith(`${id} `)) ?? '';
    expect(line('busy')).toMatch(/^busy\s+paused\s+429\s+0\s+0\s+0 {2}not polled: its server asked for a pause \(Retry-After\) until \d{4}-[\d-]+T[\d:.]+Z; --force polls it anyway$/);
    expect(line('down')).toContain(`paused`);
    expect(line('down')).toContain(`until ${new Date(downUntil).toISOString().slice(0, 16)}`);
    expect(line('gone')).toMatch(/^gone\s+gone\s+410 .* 410 Gone: change its feed URL .*--force/);
    expect(lines.at(-1)).toBe('4 sources: 1 error, 1 gone, 2 paused; 0 new entries, 0 updated.');
    expect(hits()).toEqual([1, 1, 1, 2]);
  });

  it('a source that answers again after a forced poll is no longer held back', async () => {
    await poll([], {}, PAUSED);
    server.route('/busy.xml', plainFeed(() => fixture('blog-v1.xml')));
    server.route('/gone.xml', plainFeed(() => fixture('undated.xml')));
    const forced = await pollJson(['--force']);
    expect(forced.get('busy')).toMatchObject({ outcome: 'updated', status: 200, new: 3 });
    expect(forced.get('gone')).toMatchObject({ outcome: 'updated', status: 200, new: 2 });
    const after = await pollJson();
    expect(after.get('busy')).toMatchObject({ outcome: 'unchanged', status: 200 });
    expect(after.get('gone')).toMatchObject({ outcome: 'unchanged', status: 200 });
  });
});
