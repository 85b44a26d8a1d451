import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'migrations/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests spawn servers and child processes; two cores are all CI has.
    pool: 'forks',
    // A PostgreSQL database of its own for this run (the store's tests run on SQLite and PostgreSQL).
    globalSetup: ['test/setup/postgres.ts'],
  },
});
