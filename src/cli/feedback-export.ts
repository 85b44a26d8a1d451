// `npm run feedback:export -- [--format csv|json] [--since YYYY-MM-DD]`: the stored feedback on
// standard output, for the operator alone. Responses past the retention are deleted first, so the
// export never holds what the portal should no longer keep. The CSV is RFC 4180 and safe to open
// in a spreadsheet: a cell that would start a formula is neutralised (OWASP's advice).
import { parseArgs } from 'node:util';
import { deleteFeedbackBefore, listFeedback, openMigratedStore, type StoreTarget, type StoredFeedback } from '../store/index.js';
import { runCommand, UsageError, type CommandOutput } from './command.js';

export const FEEDBACK_EXPORT_USAGE = 'usage: npm run feedback:export -- [--format csv|json] [--since YYYY-MM-DD]   (csv by default; --since from midnight UTC of that day)';

const FORMATS = ['csv', 'json'] as const;
type Format = (typeof FORMATS)[number];
const DAY_MS = 86_400_000;

interface ExportRequest {
  format: Format;
  /** Midnight UTC of the --since day, or 0 for everything kept. */
  since: number;
}

export interface FeedbackExportDeps extends CommandOutput {
  store: StoreTarget;
  retentionDays: number;
  now: () => number;
}

/** Exit 0 once printed, 1 when the database fails, 2 on bad arguments. */
export function runFeedbackExport(args: string[], deps: FeedbackExportDeps): Promise<number> {
  return runCommand(args, deps, {
    name: 'feedback:export',
    usage: FEEDBACK_EXPORT_USAGE,
    parse: parseRequest,
    run: async (request) => {
      const store = await openMigratedStore(deps.store);
      try {
        await deleteFeedbackBefore(store.db, deps.now() - deps.retentionDays * DAY_MS);
        const responses = await listFeedback(store.db, request.since);
        deps.stdout(request.format === 'json' ? feedbackJson(responses) : feedbackCsv(responses));
        return 0;
      } finally {
        await store.close();
      }
    },
  });
}

function parseRequest(words: string[]): ExportRequest | 'help' {
  const { values, positionals } = parseArgs({
    args: words,
    allowPositionals: true,
    strict: true,
    options: { format: { type: 'string' }, since: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected ${JSON.stringify(positionals[0])}`);
  const format = values.format ?? 'csv';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format ${JSON.stringify(format)}: expected csv or json`);
  return { format: format as Format, since: values.since === undefined ? 0 : parseDay(values.since) };
}

/** A real calendar day written YYYY-MM-DD, as midnight UTC. */
function parseDay(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new UsageError(`--since ${JSON.stringify(text)}: expected a day as YYYY-MM-DD, like 2026-01-31`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new UsageError(`--since ${text}: there is no such day`);
  }
  return ms;
}

const COLUMNS = ['id', 'received_at', 'usefulness', 'came_for', 'came_for_other', 'found', 'comment', 'email'] as const;

function row(response: StoredFeedback): Record<(typeof COLUMNS)[number], string | number | null> {
  return {
    id: response.id,
    received_at: new Date(response.receivedAt).toISOString(),
    usefulness: response.usefulness,
    came_for: response.cameFor,
    came_for_other: response.cameForOther,
    found: response.found,
    comment: response.comment,
    email: response.email,
  };
}

export function feedbackJson(responses: readonly StoredFeedback[]): string {
  return `${JSON.stringify(responses.map(row), null, 2)}\n`;
}

/** RFC 4180: a header line, CRLF line ends, every text cell quoted (quotes doubled). */
export function feedbackCsv(responses: readonly StoredFeedback[]): string {
  const lines = [COLUMNS.join(','), ...responses.map((response) => COLUMNS.map((column) => csvCell(row(response)[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Characters a spreadsheet may read as the start of a formula (OWASP, "CSV Injection"). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.has(value.charAt(0)) ? `'${value}` : value;
  return `"${text.replaceAll('"', '""')}"`;
}
