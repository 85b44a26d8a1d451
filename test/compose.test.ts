// No Docker engine runs here, so compose.yaml cannot be brought up in the tests. This reads it for
// the facts an operator relies on: PostgreSQL with a named volume and a health check, two web
// processes and one worker that wait for it, every setting one the portal accepts, the same
// feeds file mounted into each, and the image's own health check (which docker.test.ts runs).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSettings } from '../src/config/settings.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

// `<<: *portal` merges the shared part into each portal service, as Docker Compose does.
const compose = parse(readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8'), { merge: true }) as Compose;
const { db, ...portal } = compose.services;

/** `${VAR:-default}` as Compose substitutes it with VAR unset. */
const withDefaults = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

const roleOf = (service: Service) => service.command?.at(-1);

describe('compose.yaml', () => {
  it('runs PostgreSQL on a named volume, with a health check', () => {
    expect(db?.image).toMatch(/^postgres:1[5-9]/);
    const [volume] = db?.volumes ?? [];
    const [name, mountedAt] = (volume ?? '').split(':');
    expect(mountedAt).toBe('/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toContain(name);
    expect(db?.healthcheck?.test).toContain('pg_isready');
  });

  it('has two web processes and one worker, each started as the image runs the portal', () => {
    const roles = Object.values(portal).map(roleOf).sort();
    expect(roles).toEqual(['web', 'web', 'worker']);
    for (const service of Object.values(portal)) {
      expect(service.command?.slice(0, -1)).toEqual(['node', '--max-semi-space-size=8', 'dist/src/main.js']);
      expect(service.build).toBe('.');
    }
    // The same roles as `npm run web` and `npm run worker`.
    const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const role of ['web', 'worker']) expect(scripts[role]).toMatch(new RegExp(`bin/portal\\.js ${role}$`));
    // The two web processes publish different host ports; the worker publishes none.
    const published = Object.values(portal).flatMap((s) => s.ports ?? []).map((p) => p.split(':')[0]);
    expect(new Set(published).size).toBe(2);
    expect(Object.values(portal).find((s) => roleOf(s) === 'worker')?.ports).toBeUndefined();
  });

  it('starts each portal process only once PostgreSQL is healthy, on settings the portal accepts', () => {
    const dbEnv = db?.environment ?? {};
    for (const service of Object.values(portal)) {
      expect(service.depends_on).toEqual({ db: { condition: 'service_healthy' } });
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, withDefaults(String(v))]));
      const settings = readSettings(env);
      const url = new URL(settings.databaseUrl ?? '');
      expect(url.hostname).toBe('db');
      expect(decodeURIComponent(url.username)).toBe(dbEnv.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(withDefaults(dbEnv.POSTGRES_PASSWORD ?? ''));
      expect(url.pathname).toBe(`/${dbEnv.POSTGRES_DB}`);
    }
  });

  it('mounts the same feeds file, read-only, where the image reads it, into every portal process', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const feedsFile = /FEEDS_FILE=(\S+)/.exec(dockerfile)?.[1];
    for (const service of Object.values(portal)) {
      expect(service.volumes).toContain(`./feeds.yaml:${feedsFile}:ro`);
    }
  });

  it("checks every process on /healthz with the image's own HEALTHCHECK command (run against a server in docker.test.ts)", () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const imageCheck = /HEALTHCHECK .*?CMD (\[.*\])/.exec(dockerfile)?.[1];
    expect(imageCheck).toBeDefined();
    for (const service of Object.values(portal)) {
      expect(service.healthcheck?.test).toEqual(['CMD', ...(JSON.parse(imageCheck ?? '[]') as string[])]);
      expect(service.healthcheck?.test[3]).toContain('/healthz');
    }
  });
});
