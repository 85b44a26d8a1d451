// Reads feeds.yaml into a FeedsConfig, or every problem in it as FILE:LINE:COL issues.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue, FeedsConfig, SiteSettings, SourceConfig } from '../core/types.js';
import { byPosition, duplicateIdIssues, issueAt, schemaIssues, yamlSyntaxIssues } from './feeds-issues.js';
import type { IssueContext } from './feeds-issues.js';
import { DEFAULT_MAX_ENTRIES, DEFAULT_PER_SOURCE_ON_HOME, DEFAULT_TIMEZONE, feedsFileSchema } from './feeds-schema.js';
import type { FeedsFileData, SourceData } from './feeds-schema.js';
import { messageOf } from '../core/errors.js';

/** A good file's configuration, with the text it was parsed from (the same text again need not be parsed). */
export type LoadResult = { ok: true; config: FeedsConfig; text: string } | { ok: false; issues: ConfigIssue[] };

const EMPTY_FILE = "the feeds file is empty: it needs a 'site:' block and a 'sources:' list";

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.message}`;
}

/** Parses and validates the text of a feeds file; `fileName` is what issues are reported against. */
export function parseFeedsText(text: string, fileName: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const ctx: IssueContext = { file: fileName, text, doc, lineCounter };
  const read = documentData(ctx);
  if (!read.ok) return failed(read.issues);
  const { data } = read;

  const parsed = feedsFileSchema.safeParse(data);
  const issues = parsed.success ? [] : parsed.error.issues.flatMap((issue) => schemaIssues(ctx, issue));
  issues.push(...duplicateIdIssues(ctx, data));
  if (!parsed.success || issues.length > 0) return failed(issues);
  return { ok: true, config: toFeedsConfig(parsed.data), text };
}

/** The plain values of the document, or why there are none. */
function documentData(ctx: IssueContext): { ok: true; data: unknown } | { ok: false; issues: ConfigIssue[] } {
  if (ctx.doc.errors.length > 0) return { ok: false, issues: yamlSyntaxIssues(ctx, ctx.doc.errors) };
  let data: unknown;
  try {
    data = ctx.doc.toJS();
  } catch (err) {
    // Unresolved or runaway aliases only surface when the document is turned into values.
    return { ok: false, issues: [issueAt(ctx, undefined, `YAML error: ${messageOf(err)}`)] };
  }
  if (data === null || data === undefined) return { ok: false, issues: [issueAt(ctx, undefined, EMPTY_FILE)] };
  return { ok: true, data };
}

/** Reads and validates a feeds file; a file that cannot be read is one issue at 1:1. */
export async function loadFeedsFile(path: string): Promise<LoadResult> {
  const read = await readFeedsFile(path);
  return read.ok ? parseFeedsText(read.text, path) : read;
}

/** A feeds file's text, unparsed; a file that cannot be read is one issue at 1:1. */
export async function readFeedsFile(path: string): Promise<{ ok: true; text: string } | { ok: false; issues: ConfigIssue[] }> {
  try {
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (err) {
    return failed([{ file: path, line: 1, col: 1, message: unreadableMessage(err) }]);
  }
}

function unreadableMessage(err: unknown): string {
  const { code, message } = err as NodeJS.ErrnoException;
  if (code === 'ENOENT') return 'cannot read the feeds file: no such file (set FEEDS_FILE to its path)';
  if (code === 'EISDIR') return 'cannot read the feeds file: it is a folder, not a file';
  return `cannot read the feeds file: ${message}`;
}

function failed(issues: ConfigIssue[]): { ok: false; issues: ConfigIssue[] } {
  return { ok: false, issues: [...issues].sort(byPosition) };
}

function toFeedsConfig(data: FeedsFileData): FeedsConfig {
  const site: SiteSettings = {
    title: data.site.title,
    tagline: data.site.tagline,
    url: data.site.url,
    timezone: data.site.timezone ?? DEFAULT_TIMEZONE,
    maxEntries: data.site.max_entries ?? DEFAULT_MAX_ENTRIES,
    perSourceOnHome: data.site.per_source_on_home ?? DEFAULT_PER_SOURCE_ON_HOME,
  };
  if (data.site.contributors) site.contributors = data.site.contributors.map(({ name, role, url }) => ({ name, ...(role && { role }), ...(url && { url }) }));
  return { site, sources: data.sources.map(toSourceConfig) };
}

/** snake_case keys of the file to the camelCase fields of the code; absent stays absent. */
function toSourceConfig(source: SourceData): SourceConfig {
  const { max_entries: maxEntries, poll_minutes: pollMinutes, ...rest } = source;
  return {
    ...rest,
    ...(maxEntries !== undefined && { maxEntries }),
    ...(pollMinutes !== undefined && { pollMinutes }),
  };
}
