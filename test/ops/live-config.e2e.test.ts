// The feeds file, live, on the real process: an edit is applied without a restart (a new source is
// polled, a removed one leaves the stream), a broken edit is refused with the old config serving,
// and SIGHUP reloads a file the folder watch cannot see change.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokenFeedsYaml, eventually, feedsYaml, saveByRename, type YamlSource } from '../fixtures/ops/feeds-yaml.js';
import { passFinished, spawnPortal, type PortalProcess } from '../fixtures/ops/portal-process.js';
import { fixture, plainFeed, startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';

interface StatusJson {
  config: { file: string; last_good_load_at: string; refused: { at: string; issues: string[] } | null; sources: { total: number } };
  sources: { id: string; entry_count: number; state: string }[];
}

let dir: string;
let feeds: FeedServer;
let portal: PortalProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ops-live-'));
  feeds = await startFeedServer();
  for (const id of ['alpha', 'beta', 'gamma']) feeds.route(`/${id}.xml`, plainFeed(() => fixture('blog-v1.xml')));
});

afterEach(async () => {
  portal?.kill('SIGKILL');
  await portal?.exited;
  portal = undefined;
  await feeds.close();
  await rm(dir, { recursive: true, force: true });
});

const source = (id: string): YamlSource => ({ id, feed: `${feeds.url}${id}.xml` });

async function status(base: string): Promise<StatusJson> {
  return (await (await fetch(`${base}status.json`)).json()) as StatusJson;
}

describe('editing feeds.yaml while the portal runs', () => {
  it('applies a saved edit, polls the new source, drops the removed one, and refuses a broken edit whole', { timeout: 90_000 }, async () => {
    const file = path.join(dir, 'feeds.yaml');
    await writeFile(file, feedsYaml([source('alpha'), source('beta')]));
    portal = spawnPortal({ DATABASE_PATH: path.join(dir, 'portal.db'), FEEDS_FILE: file });
    const base = await portal.url;
    await portal.waitForLine(passFinished('startup'), 'the start-up pass');
    expect((await fetch(`${base}sources/alpha`)).status).toBe(200);

    // Saved as editors do, by renaming a new file over the old one: alpha out, gamma in.
    await saveByRename(file, feedsYaml([source('beta'), source('gamma')]));
    const applied = await eventually(async () => {
      const now = await status(base);
      return now.sources.find((s) => s.id === 'gamma')?.entry_count === 3 ? now : undefined;
    }, 'gamma polled and shown');
    expect(applied.sources.map((s) => s.id)).toEqual(['beta', 'gamma']);
    expect(applied.config.refused).toBeNull();
    expect(portal.lines.find((l) => l.msg === 'feeds file applied')).toMatchObject({ reason: 'watch', added: ['gamma'], removed: ['alpha'] });
    // The new source got a targeted pass of its own, not a pass over every source.
    expect(await portal.waitForLine(passFinished('config'), 'the config pass')).toMatchObject({ sources_due: 1, entries_added: 3 });
    expect((await fetch(`${base}sources/alpha`)).status).toBe(404);
    // The sources serve one feed, so each post shows once (issue 19): under beta now that alpha,
    // which had them first, is gone, crediting gamma too.
    const stream = (await (await fetch(`${base}feed.json?limit=200`)).json()) as { items: { _source: { id: string }; _sources: { carried_by: { id: string }[] } }[] };
    expect(new Set(stream.items.map((item) => item._source.id))).toEqual(new Set(['beta']));
    expect(stream.items.every((item) => item._sources.carried_by.map((s) => s.id).join() === 'beta,gamma')).toBe(true);

    // A broken edit: refused whole, the last good configuration keeps serving.
    await writeFile(file, brokenFeedsYaml([source('beta'), source('gamma'), source('delta')]));
    const refused = await eventually(async () => {
      const now = await status(base);
      return now.config.refused ? now : undefined;
    }, 'the refusal on /status.json');
    // The public page names the file by its base name; the log has the whole path.
    expect(refused.config.refused?.issues).toEqual([expect.stringMatching(/^feeds\.yaml:7:5: unknown key 'colour'/)]);
    expect(refused.sources.map((s) => s.id)).toEqual(['beta', 'gamma']);
    expect(refused.config.sources.total).toBe(2);
    expect((await fetch(`${base}sources/gamma`)).status).toBe(200);
    const page = await (await fetch(`${base}status`)).text();
    expect(page).toContain('The last edit of the feeds file was refused');
    expect(page).toContain(`feeds.yaml:7:5: unknown key &#x27;colour&#x27;`);
    expect(page).not.toContain(dir);
    const warning = portal.lines.find((l) => l.msg.startsWith('feeds file refused'));
    expect(warning).toMatchObject({ level: 40, reason: 'watch', issues: [expect.stringMatching(/:7:5: unknown key 'colour'/)] });
    expect(String((warning?.issues as string[])[0]).startsWith(`${file}:7:5:`)).toBe(true);
    expect(JSON.stringify(warning)).not.toContain('"stack"');
  });
});

describe('SIGHUP', () => {
  it('reloads the feeds file, even one behind a symlink whose target the folder watch cannot see', { timeout: 90_000 }, async () => {
    const real = path.join(dir, 'config', 'real-feeds.yaml');
    await mkdir(path.dirname(real));
    await writeFile(real, feedsYaml([source('alpha')]));
    const link = path.join(dir, 'feeds.yaml');
    await symlink(real, link);
    portal = spawnPortal({ DATABASE_PATH: path.join(dir, 'portal.db'), FEEDS_FILE: link, POLL_SCHEDULE: 'off' });
    const base = await portal.url;
    expect((await status(base)).sources.map((s) => s.id)).toEqual(['alpha']);

    await writeFile(real, feedsYaml([source('alpha'), source('beta')]));
    portal.kill('SIGHUP');
    await portal.waitForLine((l) => l.msg === 'feeds file applied' && l.reason === 'sighup', 'the SIGHUP reload');
    const after = await status(base);
    expect(after.sources.map((s) => [s.id, s.state])).toEqual([
      ['alpha', 'pending'],
      ['beta', 'pending'],
    ]);
    // POLL_SCHEDULE=off: nothing is polled, not even the new source.
    expect(feeds.hits('/beta.xml')).toBe(0);

    portal.kill('SIGTERM');
    expect((await portal.exited).code).toBe(0);
  });
});
