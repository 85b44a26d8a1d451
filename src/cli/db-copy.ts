// `npm run db:copy -- --to postgres://...`: moves a portal's SQLite database into PostgreSQL.
// Both are migrated first; the copy is all or nothing, and a target that already holds data is
// refused unless --force, which replaces it. What was copied goes to standard output.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { databaseUrlProblem, withoutPassword } from '../config/index.js';
import { copyStore, openMigratedStore, TargetNotEmpty, type CopyReport, type OpenedStore } from '../store/index.js';
import { runCommand, UsageError, type CommandOutput } from './command.js';

export const DB_COPY_USAGE =
  'usage: npm run db:copy -- --to postgres://USER:PASSWORD@HOST:PORT/DB [--from FILE] [--force]   (FILE: DATABASE_PATH by default)';

interface CopyRequest {
  from: string;
  to: string;
  force: boolean;
}

/** `db:copy --to URL [--from FILE] [--force]`: 0 once copied, 1 when refused or failed, 2 on bad arguments. */
export function runDbCopy(args: string[], databasePath: string, out: CommandOutput): Promise<number> {
  return runCommand(args, out, {
    name: 'db:copy',
    usage: DB_COPY_USAGE,
    parse: (words) => parseRequest(words, databasePath),
    run: (request) => copy(request, out),
  });
}

function parseRequest(words: string[], databasePath: string): CopyRequest | 'help' {
  const { values, positionals } = parseArgs({
    args: words,
    allowPositionals: true,
    strict: true,
    options: { to: { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected ${JSON.stringify(positionals[0])}`);
  if (values.to === undefined) throw new UsageError('--to names the PostgreSQL database to copy into');
  const problem = databaseUrlProblem(values.to);
  if (problem) throw new UsageError(`--to ${withoutPassword(values.to)}: ${problem}`);
  return { from: values.from ?? databasePath, to: values.to.trim(), force: values.force === true };
}

async function copy(request: CopyRequest, out: CommandOutput): Promise<number> {
  const target = withoutPassword(request.to);
  // Opening a missing file would make an empty database and copy nothing from it.
  if (!existsSync(request.from)) {
    out.stderr(`db:copy: no SQLite database at ${request.from} (give --from FILE, or set DATABASE_PATH)\n`);
    return 1;
  }
  const from = await openMigratedStore({ kind: 'sqlite', path: request.from });
  let to: OpenedStore | undefined;
  try {
    to = await openMigratedStore({ kind: 'postgres', url: request.to });
    const report = await copyStore(from.db, to.db, { replace: request.force });
    out.stdout(describeCopy(request.from, target, report));
    return 0;
  } catch (error) {
    if (!(error instanceof TargetNotEmpty)) throw error;
    out.stderr(`db:copy: ${target}: ${error.message}; nothing was copied. Copy into an empty database, or give --force to replace what it holds.\n`);
    return 1;
  } finally {
    await from.close();
    await to?.close();
  }
}

function describeCopy(from: string, to: string, report: CopyReport): string {
  const width = Math.max(...report.copied.map((c) => c.table.length));
  const lines = [`copied ${from} into ${to}:`, ...report.copied.map((c) => `  ${c.table.padEnd(width)}  ${c.rows}`)];
  if (report.replaced.length > 0) lines.push(`replaced what the target held: ${report.replaced.map((r) => `${r.rows} ${r.table}`).join(', ')}`);
  if (report.nulsDropped > 0) lines.push(`${report.nulsDropped} text values held NUL characters, which PostgreSQL cannot store: copied without them`);
  return `${lines.join('\n')}\n`;
}
