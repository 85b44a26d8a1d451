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

async function writeFeedsFile(): Promise<string> {
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
    source('blog', 'blog.xml'),
    source('undated', 'undated.xml'),
    source('broken', 'broken.xml'),
    source('gone', 'gone.xml'),
    source('link-only'),
    '',
  ].join('\n');
  await writeFile(file, text);
  return file;
}

async function poll(args: string[], extra: Partial<PollIo> = {}) {
  const out = { stdout: '', stderr: '' };
  const env = {
    FEEDS_FILE: await writeFeedsFile(),
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
