// `npm run feeds:import -- file.opml [--category WORD]`: bring an aggregator's subscription list
// into the feeds file in one write. No network: what the OPML says is what is written; a feed
// already listed (or listed twice in the OPML) is reported, never doubled.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runCommand, UsageError } from './command.js';
import type { SourceConfig } from '../core/types.js';
import { formatIssue, parseFeedsText } from '../config/index.js';
import { appendSources, feedUrlKey, listedSources, writeFeedsFile } from '../config/feeds-edit.js';
import { decodeFeedBody } from '../ingest/fetch/index.js';
import {
  categoryOption,
  DEFAULT_CATEGORY,
  cleanText,
  defaultDescription,
  hostSlug,
  isHttpUrl,
  shortDescription,
  siteOf,
  slugify,
  uniqueId,
} from './new-source.js';
import { readOpml, type OpmlFeed } from './opml-outlines.js';

export const FEEDS_IMPORT_USAGE = 'usage: npm run feeds:import -- <file.opml> [--category WORD]';

/** A category made from a folder name is kept short. */
const MAX_CATEGORY_LENGTH = 30;

export interface FeedsImportDeps {
  /** The feeds file to add to. */
  feedsFile: string;
  /** Each call is one or more whole lines, newline included. */
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

interface ImportRequest {
  opmlFile: string;
  category?: string;
}

/** What became of each outline with an xmlUrl. */
interface ImportPlan {
  added: SourceConfig[];
  duplicates: { url: string; reason: string }[];
  unusable: { url: string; reason: string }[];
}

/** Runs the command; resolves to the exit code: 0 imported (or nothing new), 1 failed, 2 usage error. */
export async function runFeedsImport(args: string[], deps: FeedsImportDeps): Promise<number> {
  return runCommand(args, deps, {
    name: 'feeds:import',
    usage: FEEDS_IMPORT_USAGE,
    parse: parseImportArgs,
    run: (request) => importFeeds(request, deps),
  });
}

function parseImportArgs(args: string[]): ImportRequest | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { category: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'give the OPML file to import' : 'give one OPML file at a time');
  }
  const category = categoryOption(values.category);
  return { opmlFile: positionals[0]!, ...(category !== undefined && { category }) };
}


async function importFeeds(request: ImportRequest, deps: FeedsImportDeps): Promise<number> {
  const file = deps.feedsFile;
  const text = await readText(file, 'utf8', '(set FEEDS_FILE to its path)');
  const current = parseFeedsText(text, file);
  if (!current.ok) {
    for (const issue of current.issues) deps.stderr(`${formatIssue(issue)}\n`);
    return refuse(deps, `${file} has problems; fix them first (npm run feeds:check). Nothing imported.`);
  }
  const opml = readOpml(await readText(request.opmlFile, 'bytes'));
  if (!opml.ok) return refuse(deps, `${request.opmlFile}: ${opml.message}. Nothing imported.`);
  if (opml.feeds.length === 0) {
    return refuse(deps, `${request.opmlFile} lists no feeds (no outline has an xmlUrl). Nothing imported.`);
  }

  const plan = planImport(opml.feeds, text, request, file);
  if (plan.added.length === 0) {
    deps.stdout(summary(plan, file, request.opmlFile));
    return 0;
  }
  const updated = appendSources(text, plan.added);
  const check = parseFeedsText(updated, file);
  if (!check.ok) {
    for (const issue of check.issues) deps.stderr(`${formatIssue(issue)}\n`);
    return refuse(deps, `the imported sources would not validate; ${file} is unchanged.`);
  }
  await writeFeedsFile(file, updated, text);
  deps.stdout(summary(plan, file, request.opmlFile));
  return 0;
}

/** Reads a file as UTF-8 text, or as bytes decoded by BOM and XML declaration (OPML is XML). */
async function readText(file: string, as: 'utf8' | 'bytes', missingHint = ''): Promise<string> {
  try {
    return as === 'utf8' ? await readFile(file, 'utf8') : decodeFeedBody(await readFile(file));
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') throw new Error(`cannot read ${file}: no such file ${missingHint}`.trim());
    if (code === 'EISDIR') throw new Error(`cannot read ${file}: it is a folder, not a file`);
    throw new Error(`cannot read ${file}: ${message}`);
  }
}

function refuse(deps: FeedsImportDeps, message: string): number {
  deps.stderr(`feeds:import: ${message}\n`);
  return 1;
}

/** Decides, outline by outline, what is added and what is skipped and why. */
function planImport(feeds: OpmlFeed[], text: string, request: ImportRequest, file: string): ImportPlan {
  const sources = listedSources(text);
  const listed = new Map(sources.flatMap((s) => (s.feed === undefined ? [] : [[feedUrlKey(s.feed), s.id] as const])));
  const takenIds = new Set(sources.map((s) => s.id));
  const imported = new Map<string, string>();
  const plan: ImportPlan = { added: [], duplicates: [], unusable: [] };
  for (const feed of feeds) {
    if (!isHttpUrl(feed.xmlUrl)) {
      plan.unusable.push({ url: feed.xmlUrl, reason: 'not an http(s) address' });
      continue;
    }
    const key = feedUrlKey(feed.xmlUrl);
    const inFile = listed.get(key);
    const earlier = imported.get(key);
    if (inFile !== undefined) plan.duplicates.push({ url: feed.xmlUrl, reason: `already in ${file} as '${inFile}'` });
    else if (earlier !== undefined) plan.duplicates.push({ url: feed.xmlUrl, reason: `listed twice in the OPML (added once, as '${earlier}')` });
    if (inFile !== undefined || earlier !== undefined) continue;
    const source = sourceFromOutline(feed, request.category, takenIds);
    takenIds.add(source.id);
    imported.set(key, source.id);
    plan.added.push(source);
  }
  return plan;
}

function sourceFromOutline(feed: OpmlFeed, category: string | undefined, takenIds: ReadonlySet<string>): SourceConfig {
  const url = new URL(feed.xmlUrl).href;
  const title = cleanText(feed.title) || new URL(url).hostname;
  const folderCategory = slugify(feed.folder ?? '', MAX_CATEGORY_LENGTH);
  return {
    id: uniqueId(slugify(title) || hostSlug(url) || 'source', takenIds),
    title,
    site: isHttpUrl(feed.htmlUrl) ? new URL(feed.htmlUrl).href : siteOf(url),
    feed: url,
    description: shortDescription(feed.description ?? '') || defaultDescription(title),
    category: category ?? (folderCategory || DEFAULT_CATEGORY),
  };
}

function summary(plan: ImportPlan, file: string, opmlFile: string): string {
  const { added, duplicates, unusable } = plan;
  const lines = [
    `feeds:import: added ${count(added.length, 'source')} to ${file} from ${opmlFile}, ` +
      `skipped ${count(duplicates.length, 'duplicate')}` +
      (unusable.length > 0 ? ` and ${count(unusable.length, 'unusable outline')}` : ''),
  ];
  const idWidth = Math.max(0, ...added.map((s) => s.id.length));
  for (const s of added) lines.push(`  + ${s.id.padEnd(idWidth)}  ${s.feed}  [${s.category}]`);
  for (const d of duplicates) lines.push(`  = ${d.url}  ${d.reason}`);
  for (const u of unusable) lines.push(`  ! ${u.url}  ${u.reason}`);
  if (added.length > 0) lines.push('Review the new entries (descriptions, categories) by hand; check the file with npm run feeds:check.');
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
