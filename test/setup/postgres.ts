// vitest globalSetup: one PostgreSQL database per test run, on the server TEST_POSTGRES_URL names
// (default: the local one, trust auth). Its URL reaches the test workers as PORTAL_TEST_DATABASE_URL;
// each store test makes its own schema inside it (test/helpers/store.ts). Dropped at the end.
// No server: PORTAL_TEST_POSTGRES_SKIPPED says why, and the PostgreSQL tests skip (fail under CI=true).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const server = process.env.TEST_POSTGRES_URL ?? DEFAULT_SERVER;
  const admin = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    process.env.PORTAL_TEST_POSTGRES_SKIPPED = `no PostgreSQL server answers at ${withoutPassword(server)} (${error instanceof Error ? error.message : String(error)}); set TEST_POSTGRES_URL`;
    await admin.end().catch(() => {});
    return undefined;
  }
  const name = `portal_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  process.env.PORTAL_TEST_DATABASE_URL = url.toString();
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
}

function withoutPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
