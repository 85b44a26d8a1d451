// `npm run feeds:import -- file.opml [--category WORD] [--offline]`: bring an aggregator's
// subscription list into the feeds file in one write. What the OPML says is what is written; a feed
// already listed (or listed twice in the OPML) is reported, never doubled. New sources are filed
// under the categories the file already uses: a folder named like one of them, else --category.
// Each new feed is tried once first, so one that does not answer is named now, not found later
// on /status; it is imported all the same (it may be down for the day).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runCommand, UsageError } from './command.js';
import type { SourceConfig } from '../core/types.js';
import { formatIssue, parseFeedsText } from '../config/index.js';
import { appendSources, feedUrlKey, listedSources, writeFeedsFile } from '../config/feeds-edit.js';
import { decodeFeedBody, type NamingSource } from '../ingest/fetch/index.js';
import { mapAtMost, readFeedOnce, withNetworkGuard, type FetchSettings } from './fetch-once.js';
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
  'usage: npm run feeds:import -- <file.opml> [--category WORD] [--offline]',
  "  a feed in a folder named like one of the feeds file's categories is filed under it;",
  "  --category WORD files every other feed (without it, the file must use 'general')",
  '  --offline imports without trying each new feed once first',
].join('\n');

/** New feeds tried at once: enough to keep an import of a hundred short, few enough to be polite. */
const FEEDS_TRIED_AT_ONCE = 4;

export interface FeedsImportDeps extends FetchSettings {
  /** The feeds file to add to. */
  feedsFile: string;
  /** Each call is one or more whole lines, newline included. */
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

interface ImportRequest {
  opmlFile: string;
  category?: string;
  /** Skip trying the new feeds: no request at all. */
  offline: boolean;
}

/** What became of each outline with an xmlUrl. */
interface ImportPlan {
  added: SourceConfig[];
  duplicates: { url: string; reason: string }[];
  unusable: { url: string; reason: string }[];
  /** New feeds that no category of the file's fits: the import is refused while there are any. */
  unfiled: OpmlFeed[];
}

/** A new feed that did not answer with something readable when tried. */
interface UnreadFeed {
  source: SourceConfig;
  reason: string;
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
    options: { category: { type: 'string' }, offline: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'give the OPML file to import' : 'give one OPML file at a time');
  }
  const category = categoryOption(values.category);
  return { opmlFile: positionals[0]!, offline: values.offline ?? false, ...(category !== undefined && { category }) };
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
    deps.stdout(summary(plan, { file, request, categories }));
    return 0;
  }
  const updated = appendSources(text, plan.added);
  const check = parseFeedsText(updated, file);
  if (!check.ok) {
    for (const issue of check.issues) deps.stderr(`${formatIssue(issue)}\n`);
    return refuse(deps, `the imported sources would not validate; ${file} is unchanged.`);
  }
  // A private address is reached only at an origin the operator named: in the feeds file, or as a feed in the OPML.
  const named = [...current.config.sources, ...opml.feeds.map((f) => ({ feed: f.xmlUrl }))];
  const unread = request.offline ? undefined : await tryEachOnce(plan.added, named, deps);
  for (const { source, reason } of unread ?? []) {
    deps.stderr(`feeds:import: warning: '${source.id}' ${source.feed} could not be read now: ${reason}\n`);
  }
  await writeFeedsFile(file, updated, text);
  deps.stdout(summary(plan, { file, request, categories, unread }));
  return 0;
}

/** Fetches and parses each new feed once, a few at a time; returns those that failed, in the OPML's order. */
async function tryEachOnce(added: SourceConfig[], named: readonly NamingSource[], deps: FeedsImportDeps): Promise<UnreadFeed[]> {
  deps.stderr(`feeds:import: trying each of the ${count(added.length, 'new feed')} once (--offline skips this)\n`);
  const outcomes = await withNetworkGuard(named, deps, (fetchDeps) =>
    mapAtMost(added, FEEDS_TRIED_AT_ONCE, (source) => readFeedOnce(source.feed!, fetchDeps)),
  );
  return outcomes.flatMap((outcome, i) => (outcome.ok ? [] : [{ source: added[i]!, reason: cleanText(outcome.message) }]));
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

/** What the summary says besides the plan; `unread` is undefined when the feeds were not tried (--offline). */
interface SummaryContext {
  file: string;
  request: ImportRequest;
  categories: CategoryVocabulary;
  unread?: UnreadFeed[] | undefined;
}

function summary(plan: ImportPlan, { file, request, categories, unread }: SummaryContext): string {
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
  if (added.length > 0) {
    lines.push(triedNote(unread));
    lines.push('Review the new entries (descriptions, categories) by hand; check the file with npm run feeds:check.');
  }
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function triedNote(unread: UnreadFeed[] | undefined): string {
  if (unread === undefined) return 'The new feeds were not tried (--offline): /status shows any that fail once the portal polls them.';
  if (unread.length === 0) return 'Each new feed answered and was read.';
  return `${unread.length} could not be read now (see the warnings): they will show as failing on /status until they answer.`;
}
