import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { FEEDS_CHECK_USAGE, runFeedsCheck, runFeedsCheckCommand } from './feeds-check.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string) => path.join(repoRoot, 'test/fixtures/config', name);

/** Runs the check, capturing what it writes. */
async function check(file: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runFeedsCheck(file, { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('runFeedsCheck', () => {
  it('exits 0 and counts the sources of a valid file', async () => {
    const file = fixture('valid.yaml');
    expect(await check(file)).toEqual({
      code: 0,
      stdout: `${file}: OK, 3 sources (2 with feeds, 1 link-only)\n`,
      stderr: '',
    });
  });

  it('exits 1 with one FILE:LINE:COL line per issue, named by the path given', async () => {
    const file = path.relative(process.cwd(), fixture('invalid.yaml'));
    expect(await check(file)).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        `${file}:9:5: unknown key 'feeds' (did you mean 'feed'?)`,
        `${file}:12:5: duplicate id 'first-blog': the source at line 6 already uses it`,
        `${file}:14:11: 'site' must be an absolute http(s) URL, like https://example.org/ (got 'first.test')`,
        '',
      ].join('\n'),
    });
  });

  it('exits 1 on a YAML syntax error', async () => {
    const file = fixture('syntax-error.yaml');
    expect(await check(file)).toMatchObject({ code: 1, stderr: `${file}:4:1: YAML syntax error: Missing closing "quote\n` });
  });

  it('exits 1 on a missing file', async () => {
    const file = fixture('missing.yaml');
    expect(await check(file)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${file}:1:1: cannot read the feeds file: no such file (set FEEDS_FILE to its path)\n`,
    });
  });

  it('checks the shipped feeds.default.yaml', async () => {
    const result = await check(path.join(repoRoot, 'feeds.default.yaml'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('runFeedsCheckCommand', () => {
  async function command(args: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runFeedsCheckCommand(args, fixture('valid.yaml'), { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  it('answers --help and -h with the usage, not as a file name', async () => {
    for (const flag of ['--help', '-h']) expect(await command([flag])).toEqual({ code: 0, stdout: `${FEEDS_CHECK_USAGE}\n`, stderr: '' });
  });

  it('checks the default file without arguments, and the file given with one', async () => {
    expect(await command([])).toMatchObject({ code: 0, stdout: `${fixture('valid.yaml')}: OK, 3 sources (2 with feeds, 1 link-only)\n` });
    expect(await command([fixture('invalid.yaml')])).toMatchObject({ code: 1 });
  });

  it('exits 2 with the usage on an unknown option or two files', async () => {
    expect(await command(['--strict'])).toMatchObject({ code: 2, stdout: '' });
    expect((await command(['--strict'])).stderr).toContain(FEEDS_CHECK_USAGE);
    expect(await command(['a.yaml', 'b.yaml'])).toEqual({ code: 2, stdout: '', stderr: `feeds:check: give one feeds file at a time\n${FEEDS_CHECK_USAGE}\n` });
  });
});
