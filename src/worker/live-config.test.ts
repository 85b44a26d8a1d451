import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadFeedsFile } from '../config/index.js';
import type * as configModule from '../config/index.js';
import type { FeedsConfig } from '../core/types.js';
import { getSource, readStreamVersion, recordFailure, syncSources, type OpenedStore } from '../store/index.js';
import { brokenFeedsYaml, feedsYaml, type YamlSource } from '../../test/fixtures/ops/feeds-yaml.js';
import { memoryLog, type MemoryLog } from '../../test/fixtures/refresh/memory-log.js';
import { freshStore } from '../../test/helpers/store.js';
import { LiveConfig, diffConfigs, type ConfigChange } from './live-config.js';

// Counts the parses LiveConfig asks for, without changing what a parse gives.
const parses = vi.hoisted(() => ({ count: 0 }));
vi.mock('../config/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof configModule>();
  return { ...real, parseFeedsText: (...args: Parameters<typeof real.parseFeedsText>) => (parses.count += 1, real.parseFeedsText(...args)) };
});

const START = Date.UTC(2026, 5, 1, 12);
const INITIAL: YamlSource[] = [
  { id: 'alpha', feed: 'https://alpha.example.org/feed.xml' },
  { id: 'beta', feed: 'https://beta.example.org/feed.xml' },
  { id: 'links' },
];

let dir: string;
let file: string;
let store: OpenedStore;
let memory: MemoryLog;
let clock: { now: number };
let applied: ConfigChange[];

async function loaded(): Promise<{ config: FeedsConfig; text: string }> {
  const result = await loadFeedsFile(file);
  if (!result.ok) throw new Error('fixture file should be valid');
  return result;
}

async function startLive(): Promise<LiveConfig> {
  const { config: initial, text: initialText } = await loaded();
  await syncSources(store.db, initial.sources, clock.now);
  return new LiveConfig({ file, initial, initialText, db: store.db, log: memory.log, now: () => clock.now, onApplied: (change) => applied.push(change) });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'live-config-'));
  file = path.join(dir, 'feeds.yaml');
  await writeFile(file, feedsYaml(INITIAL));
  store = await freshStore();
  memory = memoryLog();
  clock = { now: START };
  applied = [];
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LiveConfig', () => {
  it('applies a valid edit: added sources active, removed ones inactive, a changed URL loses its backoff', async () => {
    const live = await startLive();
    await recordFailure(store.db, 'beta', { now: START, error: 'fetch: timed out', errorKind: 'timeout', durationMs: 5, nextPollAt: START + 3_600_000 });
    const versionBefore = await readStreamVersion(store.db);
    clock.now = START + 60_000;
    await writeFile(file, feedsYaml([{ id: 'beta', feed: 'https://beta.example.org/new-feed.xml' }, { id: 'links' }, { id: 'gamma', feed: 'https://gamma.example.org/feed.xml' }]));

    const outcome = await live.reload('test');

    expect(outcome).toEqual({ applied: true, changed: true, change: { added: ['gamma'], removed: ['alpha'], feedChanged: ['beta'] } });
    expect(applied).toEqual([{ added: ['gamma'], removed: ['alpha'], feedChanged: ['beta'] }]);
    expect(live.current().sources.map((s) => s.id)).toEqual(['beta', 'links', 'gamma']);
    expect(await getSource(store.db, 'alpha')).toMatchObject({ active: 0 });
    expect(await getSource(store.db, 'gamma')).toMatchObject({ active: 1, next_poll_at: null });
    expect(await getSource(store.db, 'beta')).toMatchObject({ feed_url: 'https://beta.example.org/new-feed.xml', error_count: 0, backoff_until: null, next_poll_at: null, last_error: null });
    expect(await readStreamVersion(store.db)).toBeGreaterThan(versionBefore);
    expect(live.state()).toEqual({
      file,
      lastGoodLoadAt: START + 60_000,
      lastAttemptAt: START + 60_000,
      refused: null,
      sources: { total: 3, withFeed: 2, linkOnly: 1 },
    });
    expect(memory.lines.find((l) => l.msg === 'feeds file applied')).toMatchObject({ reason: 'test', added: ['gamma'], removed: ['alpha'], feed_changed: ['beta'] });
  });

  it('refuses an invalid file whole: the old configuration stays, the issues are kept as FILE:LINE:COL', async () => {
    const live = await startLive();
    const before = live.current();
    clock.now = START + 1000;
    await writeFile(file, brokenFeedsYaml([...INITIAL, { id: 'delta', feed: 'https://delta.example.org/feed.xml' }]));

    const outcome = await live.reload('watch');

    expect(outcome.applied).toBe(false);
    expect(live.current()).toBe(before);
    expect(await getSource(store.db, 'delta')).toBeUndefined();
    expect(applied).toEqual([]);
    const state = live.state();
    expect(state.lastGoodLoadAt).toBe(START);
    expect(state.lastAttemptAt).toBe(START + 1000);
    expect(state.refused?.at).toBe(START + 1000);
    expect(state.refused?.issues).toEqual([`${file}:7:5: unknown key 'colour' (known keys: id, title, site, feed, description, category, include, exclude, max_entries, poll_minutes)`]);
    const warning = memory.warnings().find((l) => l.msg.startsWith('feeds file refused'));
    expect(warning).toMatchObject({ level: 40, reason: 'watch', issues: state.refused?.issues });
    expect(warning).not.toHaveProperty('err');
  });

  it('clears the refusal once the file is fixed, even back to the configuration in force', async () => {
    const live = await startLive();
    await writeFile(file, 'site: [\n');
    expect((await live.reload('watch')).applied).toBe(false);
    expect(live.state().refused?.issues[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    clock.now = START + 5000;
    await writeFile(file, feedsYaml(INITIAL));
    expect(await live.reload('watch')).toMatchObject({ applied: true, changed: false });
    expect(live.state()).toMatchObject({ refused: null, lastGoodLoadAt: START + 5000 });
    expect(memory.lines.find((l) => l.msg === 'feeds file accepted again: the refused edit is fixed')).toMatchObject({
      level: 30,
      refused_at: new Date(START).toISOString(),
    });
  });

  it('leaves the store alone when the file did not change', async () => {
    const live = await startLive();
    const version = await readStreamVersion(store.db);
    expect(await live.reload('sighup')).toMatchObject({ applied: true, changed: false });
    expect(await readStreamVersion(store.db)).toBe(version);
    expect(applied).toEqual([]);
  });

  it('parses the file only when its text differs from the text in force', async () => {
    const live = await startLive();
    parses.count = 0;
    expect(await live.reload('sighup')).toMatchObject({ applied: true, changed: false });
    expect(parses.count).toBe(0);
    // A comment changes the text, not the configuration: parsed once, then in force.
    await writeFile(file, `${feedsYaml(INITIAL)}# checked by the on-call operator\n`);
    expect(await live.reload('watch')).toMatchObject({ applied: true, changed: false });
    expect(await live.reload('watch')).toMatchObject({ applied: true, changed: false });
    expect(parses.count).toBe(1);
    // A broken edit is parsed and refused; undoing it brings back the text in force, which needs no parse to clear the refusal.
    const inForce = await loaded();
    await writeFile(file, 'site: [\n');
    expect((await live.reload('watch')).applied).toBe(false);
    await writeFile(file, inForce.text);
    expect(await live.reload('watch')).toMatchObject({ applied: true, changed: false });
    expect(live.state().refused).toBeNull();
    expect(parses.count).toBe(2);
  });

  it('refuses a missing file and keeps serving the last good configuration', async () => {
    const live = await startLive();
    await rm(file);
    expect((await live.reload('watch')).applied).toBe(false);
    expect(live.state().refused?.issues).toEqual([`${file}:1:1: cannot read the feeds file: no such file (set FEEDS_FILE to its path)`]);
    expect(live.current().sources).toHaveLength(3);
  });

  it("refuses an edit the database does not take, keeping the store's words for the log", async () => {
    const { config: initial } = await loaded();
    const closed = await freshStore();
    await closed.close();
    const live = new LiveConfig({ file, initial, db: closed.db, log: memory.log, now: () => clock.now });
    await writeFile(file, feedsYaml([...INITIAL, { id: 'gamma', feed: 'https://gamma.example.org/feed.xml' }]));
    expect((await live.reload('watch')).applied).toBe(false);
    expect(live.state().refused?.issues).toEqual([`${file}: not applied: the database did not take it (see the log)`]);
    const logged = memory.lines.find((l) => l.msg === 'feeds file valid, but the database did not take it');
    expect(logged).toMatchObject({ level: 50, reason: 'watch', err: { message: 'driver has already been destroyed' } });
  });

  it('runs reloads one after another, the last one winning', async () => {
    const live = await startLive();
    await writeFile(file, feedsYaml([{ id: 'one', feed: 'https://one.example.org/f.xml' }]));
    const first = live.reload('a');
    const second = live.reload('b');
    await Promise.all([first, second, live.settled()]);
    expect(live.current().sources.map((s) => s.id)).toEqual(['one']);
    expect(applied).toHaveLength(1);
  });
});

describe('diffConfigs', () => {
  it('names added, removed and re-pointed sources; a link-only source gaining a feed counts as re-pointed', async () => {
    const site = { title: 't', tagline: 't', url: 'https://x.org/', timezone: 'UTC', maxEntries: 200 };
    const source = (id: string, feed?: string) => ({ id, title: id, site: 'https://x.org/', description: '', category: 'c', ...(feed && { feed }) });
    const change = diffConfigs({ site, sources: [source('a', 'https://a/f'), source('b')] }, { site, sources: [source('b', 'https://b/f'), source('c')] });
    expect(change).toEqual({ added: ['c'], removed: ['a'], feedChanged: ['b'] });
  });
});
