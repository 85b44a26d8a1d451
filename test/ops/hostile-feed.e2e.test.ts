// One hostile feed must not stall the web process (issue 16): the portal started as `npm start`
// starts it, its first pass reading a feed that nests ~150,000 elements beside a normal one, while
// /healthz is asked again and again. The hostile digest runs on a worker until its budget refuses it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main.js';
import { hostileFeed } from '../../src/refresh/testing/hostile-feed.js';
import { feedsYaml } from '../fixtures/ops/feeds-yaml.js';
import { fixture, plainFeed, startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';

/** Short, so the test is quick; the hostile digest takes seconds, far more than this. */
const DIGEST_BUDGET_MS = 1_000;

let dir: string;
let feeds: FeedServer;
let running: RunningServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ops-hostile-'));
  feeds = await startFeedServer();
});

afterEach(async () => {
  await running?.close();
  running = undefined;
  await feeds.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  at: number;
}

interface SourceLine {
  id: string;
  state: string;
  entry_count: number;
  error_count: number;
  last_status: number | null;
  last_error: string | null;
}

describe('a hostile feed in the start-up pass', () => {
  it('is refused and recorded as failing, the normal feed is stored, and /healthz answers all the while', { timeout: 90_000 }, async () => {
    feeds.route('/hostile.xml', plainFeed(() => hostileFeed()));
    feeds.route('/blog.xml', plainFeed(() => fixture('blog-v1.xml')));
    const feedsFile = path.join(dir, 'feeds.yaml');
    await writeFile(
      feedsFile,
      feedsYaml([
        { id: 'hostile', feed: `${feeds.url}hostile.xml` },
        { id: 'blog', feed: `${feeds.url}blog.xml` },
      ]),
    );

    // When each source's refresh line was logged: the hostile one's comes once its digest has ended.
    const refreshedAt = new Map<string, number>();
    const errors = new Map<string, string>();
    let passDone = false;
    const logDestination = {
      write: (line: string) => {
        const parsed = JSON.parse(line) as { source_id?: string; outcome?: string; msg?: string; error?: string };
        if (parsed.source_id && parsed.outcome) refreshedAt.set(parsed.source_id, Date.now());
        if (parsed.source_id && parsed.error) errors.set(parsed.source_id, parsed.error);
        if (parsed.msg === 'poll pass finished') passDone = true;
      },
    };
    const env = { FEEDS_FILE: feedsFile, DATABASE_PATH: path.join(dir, 'portal.db'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', POLL_SCHEDULE: '0 0 1 1 *' };
    const io = { env, isTTY: false, stdout: () => {}, stderr: () => {} };
    const started = await startServer(io, { logDestination, digestTimeBudgetMs: DIGEST_BUDGET_MS });
    if (typeof started === 'number') throw new Error(`the portal did not start (exit ${started})`);
    running = started;

    // One /healthz after another, from just after the start until the pass has ended.
    const answers: Answer[] = [];
    while (!passDone) {
      const response = await fetch(`${running.url}healthz`);
      await response.text();
      answers.push({ status: response.status, at: Date.now() });
    }

    // The digest was running on its worker through the last half budget before it was refused: had it
    // run on the main thread (which also runs this test's requests), nothing would have been answered then.
    const refusedAt = refreshedAt.get('hostile') ?? Number.NaN;
    const answeredWhileDigesting = answers.filter((a) => a.at > refusedAt - DIGEST_BUDGET_MS / 2 && a.at < refusedAt);
    expect(answeredWhileDigesting.length).toBeGreaterThanOrEqual(5);
    expect(answers.every((a) => a.status === 200)).toBe(true);

    const status = (await (await fetch(`${running.url}status.json`)).json()) as { sources: SourceLine[] };
    const byId = new Map(status.sources.map((s) => [s.id, s]));
    expect(byId.get('hostile')).toMatchObject({ state: 'failing', entry_count: 0, error_count: 1, last_status: 200 });
    // Public pages say the kind; the log line has the budget it ran over (time, or on a machine fast
    // enough to fill the heap first, memory).
    expect(byId.get('hostile')).toMatchObject({ error_kind: 'too-complex', last_error: 'Too complex to read' });
    expect(errors.get('hostile')).toMatch(/^digest: refused: reading this feed (took longer than 1 s|needed more than 40 MB)$/);
    expect(byId.get('blog')).toMatchObject({ state: 'ok', entry_count: 3, error_count: 0, last_error: null });

    const home = await (await fetch(running.url)).text();
    expect(home).toContain('Patient engagement in rural clinics');
    expect(home).not.toContain('Deep 1');
  });
});
