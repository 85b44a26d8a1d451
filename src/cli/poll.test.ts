import { describe, expect, it } from 'vitest';
import type { RefreshReport } from '../core/types.js';
import { formatTable, runPoll, summarize, toRow, type PollReport } from './poll.js';

const reports: RefreshReport[] = [
  { sourceId: 'regina-holliday', outcome: 'updated', status: 200, added: 12, updated: 1, ms: 840 },
  { sourceId: 'e-patients', outcome: 'not-modified', status: 304, added: 0, updated: 0, ms: 95 },
  { sourceId: 'slow', outcome: 'error', added: 0, updated: 0, ms: 20001, error: 'fetch: timed out after 20000 ms' },
  { sourceId: 'moved', outcome: 'unchanged', status: 200, added: 0, updated: 0, ms: 7, movedTo: 'https://new.example.org/feed' },
];

describe('formatTable', () => {
  it('aligns the columns, notes errors and moves, and ends with a summary', () => {
    expect(formatTable(reports)).toBe(
      [
        'id               outcome       status  new  updated     ms',
        'regina-holliday  updated          200   12        1    840',
        'e-patients       not-modified     304    0        0     95',
        'slow             error              -    0        0  20001  fetch: timed out after 20000 ms',
        'moved            unchanged        200    0        0      7  moved to https://new.example.org/feed: update the feeds file',
        '4 sources: 1 updated, 1 unchanged, 1 not modified, 1 error; 12 new entries, 1 updated.',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing was due', () => {
    expect(formatTable([])).toBe('No sources due.\n');
  });
});

describe('summarize', () => {
  it('uses singular nouns for one', () => {
    expect(summarize([{ sourceId: 'a', outcome: 'updated', status: 200, added: 1, updated: 0, ms: 1 }])).toBe(
      '1 source: 1 updated; 1 new entry, 0 updated.\n',
    );
  });
});

describe('toRow', () => {
  it('maps a report to the --json shape, with null for a missing status', () => {
    expect(reports.map(toRow)).toEqual([
      { id: 'regina-holliday', outcome: 'updated', status: 200, new: 12, updated: 1, ms: 840 },
      { id: 'e-patients', outcome: 'not-modified', status: 304, new: 0, updated: 0, ms: 95 },
      { id: 'slow', outcome: 'error', status: null, new: 0, updated: 0, ms: 20001, error: 'fetch: timed out after 20000 ms' },
      { id: 'moved', outcome: 'unchanged', status: 200, new: 0, updated: 0, ms: 7, moved_to: 'https://new.example.org/feed' },
    ]);
  });
});

describe('a source held back by its server', () => {
  const paused: PollReport = {
    sourceId: 'busy', outcome: 'paused', status: 429, added: 0, updated: 0, ms: 0, until: Date.UTC(2026, 5, 1, 13),
    error: 'not polled: its server asked for a pause (Retry-After) until 2026-06-01T13:00:00.000Z; --force polls it anyway',
  };

  it('--json gives the end of the pause as an ISO time', () => {
    expect(toRow(paused)).toEqual({
      id: 'busy', outcome: 'paused', status: 429, new: 0, updated: 0, ms: 0, until: '2026-06-01T13:00:00.000Z', error: paused.error,
    });
  });

  it('the table gives it a line saying until when, and the summary counts it', () => {
    const table = formatTable([reports[0]!, paused]);
    expect(table).toContain('\nbusy             paused      429    0        0    0  not polled: its server asked for a pause (Retry-After) until 2026-06-01T13:00:00.000Z;');
    expect(table.trimEnd().split('\n').at(-1)).toBe('2 sources: 1 updated, 1 paused; 12 new entries, 1 updated.');
  });
});

describe('runPoll before polling', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: { env: {}, version: '0.0.0', stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) },
    };
  };

  it('refuses an unknown argument with exit 2', async () => {
    const { out, io: pollIo } = io();
    expect(await runPoll(['--jsn'], pollIo)).toBe(2);
    expect(out.stderr).toContain('unknown argument --jsn');
    expect(out.stderr).toContain('usage: poll [--json] [--force]');
    expect(out.stdout).toBe('');
  });

  it('exits 1 with a clear message for a bad setting', async () => {
    const { out, io: pollIo } = io();
    expect(await runPoll([], { ...pollIo, env: { FETCH_TIMEOUT_MS: 'soon' } })).toBe(1);
    expect(out.stderr).toContain('FETCH_TIMEOUT_MS="soon"');
    expect(out.stdout).toBe('');
  });
});
