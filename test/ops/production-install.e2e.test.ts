// The commands as an operator runs them from a production install (built, then `npm prune
// --omit=dev`, as the Dockerfile does): no TypeScript, no tsx, and nothing compiles at start.
// `kill -TERM` to the process `npm start` started stops the portal cleanly, as Ctrl-C does.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedsYaml } from '../fixtures/ops/feeds-yaml.js';
import { REPO_ROOT, spawnPortal } from '../fixtures/ops/portal-process.js';
import { fixture, plainFeed, startFeedServer, type FeedServer } from '../fixtures/refresh/feed-server.js';

let app: string;
let data: string;
let feeds: FeedServer;

/** What an operator's shell passes on; npm needs PATH and HOME. */
const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' });

function npm(args: string[], env: Record<string, string | undefined>) {
  return spawnSync('npm', args, { cwd: app, env: { ...baseEnv(), ...env }, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(async () => {
  app = mkdtempSync(path.join(tmpdir(), 'production-install-'));
  data = path.join(app, 'data');
  // The project's files as a clone holds them (tracked and new, not ignored), its dependencies, then
  // the build and the prune a production install does.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  for (const file of files.split('\0').filter(Boolean)) {
    if (!existsSync(path.join(REPO_ROOT, file))) continue;
    mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(app, file));
  }
  cpSync(path.join(REPO_ROOT, 'node_modules'), path.join(app, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  execFileSync(process.execPath, ['bin/portal.js', 'build'], { cwd: app, stdio: 'ignore' });
  execFileSync('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'], { cwd: app, env: { ...process.env }, stdio: 'ignore' });
  feeds = await startFeedServer();
  feeds.route('/care.xml', plainFeed(() => fixture('blog-v1.xml')));
  writeFileSync(path.join(app, 'feeds.yaml'), feedsYaml([{ id: 'care', feed: `${feeds.url}care.xml` }]));
}, 180_000);

afterAll(async () => {
  await feeds?.close();
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('a production install (dev dependencies pruned)', () => {
  it('has no TypeScript or tsx, so nothing can compile', () => {
    expect(existsSync(path.join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
  });

  it('runs npm run feeds:check', () => {
    const result = npm(['run', 'feeds:check'], {});
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('feeds.yaml: OK, 1 source');
    expect(result.status).toBe(0);
  });

  it('runs npm run poll -- --json: one JSON array on standard output, the source stored', async () => {
    // Not spawnSync: the feed server answers from this process.
    const { stdout } = await promisify(execFile)('npm', ['run', 'poll', '--', '--json'], {
      cwd: app,
      env: { ...baseEnv(), DATABASE_PATH: path.join(data, 'poll.db') },
    });
    const reports = JSON.parse(stdout) as { id: string; outcome: string; new: number }[];
    expect(reports).toEqual([expect.objectContaining({ id: 'care', outcome: 'updated' })]);
    expect(reports[0]!.new).toBeGreaterThan(0);
  });

  it('npm start serves; kill -TERM to npm stops the portal cleanly and frees the port', { timeout: 60_000 }, async () => {
    const portal = spawnPortal(
      { DATABASE_PATH: path.join(data, 'serve.db'), FEEDS_FILE: path.join(app, 'feeds.yaml') },
      { command: 'npm', args: ['start'], cwd: app },
    );
    const url = await portal.url;
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    // The pid is npm's own: npm forwards the signal, and the script execs node so nothing swallows it.
    portal.kill('SIGTERM');
    expect(await portal.exited).toEqual({ code: 0, signal: null });
    expect(portal.lines.map((line) => line.msg)).toContain('stopped');
    await expect(fetch(`${url}healthz`)).rejects.toThrow();
  });

  it('Ctrl-C (SIGINT to the process group, which npm also forwards) stops it cleanly, not as a second press', { timeout: 60_000 }, async () => {
    const portal = spawnPortal(
      { DATABASE_PATH: path.join(data, 'serve.db'), FEEDS_FILE: path.join(app, 'feeds.yaml') },
      { command: 'npm', args: ['start'], cwd: app, detached: true },
    );
    await portal.url;
    portal.killGroup('SIGINT');
    expect(await portal.exited).toEqual({ code: 0, signal: null });
    const messages = portal.lines.map((line) => line.msg);
    expect(messages).toContain('stopped');
    expect(messages).not.toContain('second signal: exiting at once');
  });

  it('says how to build when a source is newer than the build, instead of failing on a missing tsc', () => {
    const source = path.join(app, 'src', 'main.ts');
    const before = statSync(source).mtime;
    utimesSync(source, new Date(), new Date(Date.now() + 60_000));
    try {
      const result = npm(['run', 'feeds:check'], {});
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('src/main.ts changed since the last build');
      expect(result.stderr).toContain('TypeScript is not installed here (a production install?)');
      expect(result.stdout).toBe('');
    } finally {
      utimesSync(source, before, before);
    }
  });
});
