// No Docker engine runs here, so the image cannot be built in the tests. This reads the Dockerfile
// and .dockerignore for the facts operators rely on, checks that whatever they copy exists, and
// runs the HEALTHCHECK command itself against a local server.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from './fixtures/fetch/local-server.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped, with their stage. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  let stage = -1;
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      if (keyword.toUpperCase() === 'FROM') stage++;
      return { keyword: keyword.toUpperCase(), args: rest.join(' '), stage };
    });
}

const all = instructions(dockerfile);
const lastStage = Math.max(...all.map((i) => i.stage));
const runtime = all.filter((i) => i.stage === lastStage);
const of = (list: Instruction[], keyword: string) => list.filter((i) => i.keyword === keyword);

/** ENV lines as a map; both `ENV A=1 B=2` and `ENV A 1` forms. */
function envOf(list: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of of(list, 'ENV')) {
    if (!args.includes('=')) {
      const [key = '', ...value] = args.split(/\s+/);
      env[key] = value.join(' ');
      continue;
    }
    for (const pair of args.split(/\s+/)) {
      const [key = '', value = ''] = pair.split('=');
      env[key] = value.replace(/^"|"$/g, '');
    }
  }
  return env;
}

/** The sources and destination of a COPY, flags aside. */
function copyParts(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { ...(from !== undefined && { from }), sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, both on Node 20 bookworm-slim', () => {
    const froms = of(all, 'FROM').map((i) => i.args);
    expect(froms).toEqual(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim AS runtime']);
    const buildRuns = of(all.filter((i) => i.stage === 0), 'RUN').map((i) => i.args).join('\n');
    expect(buildRuns).toMatch(/apt-get install .*python3 make g\+\+/);
    expect(buildRuns).toContain('npm ci');
    expect(buildRuns).toContain('npm run build');
    expect(buildRuns).toContain('npm prune --omit=dev');
    expect(buildRuns.indexOf('npm ci')).toBeLessThan(buildRuns.indexOf('npm run build'));
  });

  it('runs as a non-root user with the database in a /data volume', () => {
    const users = of(runtime, 'USER').map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(['root', '0']).not.toContain(users[0]);
    expect(of(runtime, 'VOLUME').map((i) => i.args)).toEqual(['/data']);
    expect(of(runtime, 'RUN').map((i) => i.args).join('\n')).toContain(`chown ${users[0]}:${users[0]} /data`);
    // USER comes after the last RUN that needs root.
    const userAt = runtime.findIndex((i) => i.keyword === 'USER');
    expect(runtime.slice(userAt).some((i) => i.keyword === 'RUN')).toBe(false);
  });

  it('sets the settings the interface names for the image', () => {
    expect(envOf(runtime)).toMatchObject({
      HOST: '0.0.0.0',
      PORT: '3000',
      DATABASE_PATH: '/data/portal.db',
      NODE_ENV: 'production',
    });
    expect(of(runtime, 'EXPOSE').map((i) => i.args)).toEqual(['3000']);
  });

  it('starts the server with node in exec form, and checks /healthz with node (no curl in slim)', () => {
    expect(of(runtime, 'CMD').map((i) => JSON.parse(i.args))).toEqual([['node', '--max-semi-space-size=8', 'dist/src/main.js', 'serve']]);
    const [healthcheck] = of(runtime, 'HEALTHCHECK').map((i) => i.args);
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*\/healthz/);
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it('copies only paths that exist: from the repository, or made by the build stage', () => {
    const buildStage = all.filter((i) => i.stage === 0);
    const madeByBuild = new Set(['/app/node_modules', '/app/dist']);
    for (const { args } of of(all, 'COPY')) {
      const { from, sources } = copyParts(args);
      if (from !== undefined) {
        expect(from).toBe('build');
        for (const source of sources) expect(madeByBuild).toContain(source);
        continue;
      }
      for (const source of sources) expect(existsSync(path.join(repoRoot, source)), `${source} exists`).toBe(true);
    }
    expect(of(buildStage, 'WORKDIR').map((i) => i.args)).toEqual(['/app']);
  });

  it('gives the runtime everything the portal reads', () => {
    const copied = of(runtime, 'COPY').flatMap((i) => copyParts(i.args).sources);
    for (const needed of ['/app/node_modules', '/app/dist', 'package.json', 'feeds.default.yaml', 'templates', 'public']) {
      expect(copied).toContain(needed);
    }
  });
});

describe('.dockerignore', () => {
  const patterns = dockerignore.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it('keeps local builds, data and history out of the context', () => {
    for (const p of ['node_modules', 'dist', 'data', '.git', 'test-output', 'coverage', '*.db']) expect(patterns).toContain(p);
  });

  it('does not ignore anything the Dockerfile copies from the repository', () => {
    const copiedFromContext = of(all, 'COPY')
      .map((i) => copyParts(i.args))
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    for (const source of copiedFromContext) expect(patterns).not.toContain(source);
  });
});

describe('the HEALTHCHECK command', () => {
  let status = 200;
  let server: LocalServer;
  const run = promisify(execFile);

  beforeAll(async () => {
    server = await startLocalServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? status : 404).end();
    });
  });
  afterAll(async () => {
    await server.close();
  });

  /** Runs the HEALTHCHECK's own argv with PORT pointing at the local server; resolves to its exit code. */
  async function healthcheck(): Promise<number> {
    const [args = ''] = of(runtime, 'HEALTHCHECK').map((i) => i.args);
    const argv = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
    const env = { ...process.env, PORT: new URL(server.url).port };
    try {
      await run(process.execPath, argv.slice(1), { env });
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  }

  it('exits 0 when /healthz answers 200 and 1 when it answers 503', async () => {
    status = 200;
    expect(await healthcheck()).toBe(0);
    status = 503;
    expect(await healthcheck()).toBe(1);
  });

  it('exits 1 when nothing listens', async () => {
    const closed = await startLocalServer((_req, res) => res.end());
    await closed.close();
    const [args = ''] = of(runtime, 'HEALTHCHECK').map((i) => i.args);
    const argv = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
    await expect(run(process.execPath, argv.slice(1), { env: { ...process.env, PORT: new URL(closed.url).port } })).rejects.toMatchObject({
      code: 1,
    });
  });
});
