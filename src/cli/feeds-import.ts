// `npm run feeds:import -- file.opml [--category WORD]`: bring an aggregator's subscription list
// into the feeds file in one write. What the OPML says is what is written; a feed already listed
// (or listed twice in the OPML) is reported, never doubled. New sources are filed under the
// categories the file already uses: a folder named like one of them, else --category.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runCommand, UsageError } from './command.js';
import type { SourceConfig } from '../core/types.js';
import { formatIssue, parseFeedsText } from '../config/index.js';
import { appendSources, feedUrlKey, listedSources, writeFeedsFile } from '../config/feeds-edit.js';
import { decodeFeedBody } from '../ingest/fetch/index.js';
import {
  CategoryVocabulary,
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

export const FEEDS_IMPORT_USAGE = [
  'usage: npm run feeds:import -- <file.opml> [--category WORD]',
  "  a feed in a folder named like one of the feeds file's categories is filed under it;",
  '  --category WORD files every other feed (without it, the file must use \'general\')',
].join('\n');

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
  /** New feeds that no category of the file's fits: the import is refused while there are any. */
  unfiled: OpmlFeed[];
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

  const categories = new CategoryVocabulary(current.config.sources);
  const plan = planImport(opml.feeds, text, request, file, categories);
  if (plan.unfiled.length > 0) return refuse(deps, unfiledMessage(plan.unfiled, file, categories));
  if (plan.added.length === 0) {
    deps.stdout(summary(plan, file, request, categories));
    return 0;
  }
  const updated = appendSources(text, plan.added);
  const check = parseFeedsText(updated, file);
  if (!check.ok) {
    for (const issue of check.issues) deps.stderr(`${formatIssue(issue)}\n`);
    return refuse(deps, `the imported sources would not validate; ${file} is unchanged.`);
  }
  await writeFeedsFile(file, updated, text);
  deps.stdout(summary(plan, file, request, categories));
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

/** Decides, outline by outline, what is added (and under which category) and what is skipped and why. */
function planImport(feeds: OpmlFeed[], text: string, request: ImportRequest, file: string, categories: CategoryVocabulary): ImportPlan {
  const sources = listedSources(text);
  const listed = new Map(sources.flatMap((s) => (s.feed === undefined ? [] : [[feedUrlKey(s.feed), s.id] as const])));
  const takenIds = new Set(sources.map((s) => s.id));
  const imported = new Map<string, string>();
  const plan: ImportPlan = { added: [], duplicates: [], unusable: [], unfiled: [] };
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
    const source = sourceFromOutline(feed, takenIds);
    takenIds.add(source.id);
    imported.set(key, source.id);
    // The folder when it names one of the file's categories, else the operator's --category.
    const category = categories.forFolder(feed.folder) ?? request.category ?? categories.fallback;
    if (category === undefined) plan.unfiled.push(feed);
    else plan.added.push({ ...source, category });
  }
  return plan;
}

function sourceFromOutline(feed: OpmlFeed, takenIds: ReadonlySet<string>): Omit<SourceConfig, 'category'> {
  const url = new URL(feed.xmlUrl).href;
  const title = cleanText(feed.title) || new URL(url).hostname;
  return {
    id: uniqueId(slugify(title) || hostSlug(url) || 'source', takenIds),
    title,
    site: isHttpUrl(feed.htmlUrl) ? new URL(feed.htmlUrl).href : siteOf(url),
    feed: url,
    description: shortDescription(feed.description ?? '') || defaultDescription(title),
  };
}

/** Which folders match none of the file's categories, how many feeds each holds, and what to do. */
function unfiledMessage(unfiled: OpmlFeed[], file: string, categories: CategoryVocabulary): string {
  const perFolder = new Map<string, number>();
  for (const feed of unfiled) {
    const folder = feed.folder ?? '(no folder)';
    perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
  }
  const width = Math.max(...[...perFolder.keys()].map((f) => f.length));
  const lines = [
    `${count(unfiled.length, 'new feed')} would have no category of ${file}, which files its sources under ` +
      `${categories.describe()} (not '${DEFAULT_CATEGORY}'). These folders match none of them:`,
    ...[...perFolder].map(([folder, n]) => `  ${folder.padEnd(width)}  ${count(n, 'feed')}`),
    'Give --category WORD to file them under one of those (or a new word), or rename the folders to match. Nothing imported.',
  ];
  return lines.join('\n');
}

function summary(plan: ImportPlan, file: string, request: ImportRequest, categories: CategoryVocabulary): string {
  const { added, duplicates, unusable } = plan;
  const lines = [
    `feeds:import: added ${count(added.length, 'source')} to ${file} from ${request.opmlFile}, ` +
      `skipped ${count(duplicates.length, 'duplicate')}` +
      (unusable.length > 0 ? ` and ${count(unusable.length, 'unusable outline')}` : ''),
  ];
  const idWidth = Math.max(0, ...added.map((s) => s.id.length));
  for (const s of added) lines.push(`  + ${s.id.padEnd(idWidth)}  ${s.feed}  [${s.category}]`);
  for (const d of duplicates) lines.push(`  = ${d.url}  ${d.reason}`);
  for (const u of unusable) lines.push(`  ! ${u.url}  ${u.reason}`);
  const chosen = request.category;
  const filedUnderChosen = added.filter((s) => s.category === chosen).length;
  // Allowed, since the operator typed it, but said: a new category is a new section on the home page.
  if (chosen !== undefined && filedUnderChosen > 0 && categories.isNew(chosen)) {
    lines.push(`Category '${chosen}' is new to ${file}, which used ${categories.describe()}: ${count(filedUnderChosen, 'source')} filed under it.`);
  }
  if (added.length > 0) lines.push('Review the new entries (descriptions, categories) by hand; check the file with npm run feeds:check.');
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
