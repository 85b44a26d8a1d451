// `npm run feeds:check`: validate the feeds file and say plainly what is wrong, line by line.
import { parseArgs } from 'node:util';
import type { FeedsConfig } from '../core/types.js';
import { formatIssue, loadFeedsFile } from '../config/index.js';
import { runCommand, UsageError } from './command.js';

export const FEEDS_CHECK_USAGE = 'usage: npm run feeds:check [-- FILE]   (FILE: the feeds file, FEEDS_FILE by default)';

/** Where the command writes; each call is one whole line, newline included. */
export interface CheckOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** `feeds:check [FILE] [--help]`: checks FILE, else `defaultFile`; 2 with the usage on bad arguments. */
export function runFeedsCheckCommand(args: string[], defaultFile: string, out: CheckOutput): Promise<number> {
  return runCommand(args, out, {
    name: 'feeds:check',
    usage: FEEDS_CHECK_USAGE,
    parse: (words) => {
      const { values, positionals } = parseArgs({ args: words, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
      if (values.help) return 'help';
      if (positionals.length > 1) throw new UsageError('give one feeds file at a time');
      return positionals[0] ?? defaultFile;
    },
    run: (file) => runFeedsCheck(file, out),
  });
}

/** Checks the feeds file at `path`: 0 when valid, 1 with one FILE:LINE:COL line per issue otherwise. */
export async function runFeedsCheck(path: string, out: CheckOutput): Promise<number> {
  const result = await loadFeedsFile(path);
  if (!result.ok) {
    for (const issue of result.issues) out.stderr(`${formatIssue(issue)}\n`);
    return 1;
  }
  out.stdout(`${path}: OK, ${summarize(result.config)}\n`);
  return 0;
}

/** "13 sources (8 with feeds, 5 link-only)" */
export function summarize(config: FeedsConfig): string {
  const total = config.sources.length;
  const withFeeds = config.sources.filter((s) => s.feed !== undefined).length;
  const noun = total === 1 ? 'source' : 'sources';
  return `${total} ${noun} (${withFeeds} with feeds, ${total - withFeeds} link-only)`;
}
