// `npm run feeds:add -- <site-or-feed-url> [--id ID] [--category WORD] [--title T] [--description D]`:
// find the feed (the URL itself, else the page's <link rel="alternate">, else the usual places),
// prove it parses, and append the source to the feeds file without touching anything else in it.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runCommand, UsageError } from './command.js';
import type { ParsedFeed, SourceConfig } from '../core/types.js';
import { formatIssue, parseFeedsText } from '../config/index.js';
import { appendSource, existingIds, feedUrlKey, listedSources, writeFeedsFile } from '../config/feeds-edit.js';
import { commonFeedUrls, describeFeed, describePage, discoverFeeds } from '../ingest/discover/index.js';
import { fetchText, readAsFeed, withNetworkGuard, type FetchOnceDeps, type FetchSettings, type Outcome } from './fetch-once.js';
import {
  CategoryVocabulary,
  categoryOption,
  DEFAULT_CATEGORY,
  ID_PATTERN,
  cleanText,
  defaultDescription,
  hostSlug,
  isHttpUrl,
  shortDescription,
  siteOf,
  slugify,
  urlFromArgument,
} from './new-source.js';

export const FEEDS_ADD_USAGE =
  'usage: npm run feeds:add -- <site-or-feed-url> [--id ID] [--category WORD] [--title TEXT] [--description TEXT]';

/** The fetch settings (with ALLOW_PRIVATE_NETWORKS=on a page's links may lead anywhere), the file, the output. */
export interface FeedsAddDeps extends FetchSettings {
  /** The feeds file to add to. */
  feedsFile: string;
  /** Each call is one or more whole lines, newline included. */
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

interface AddRequest {
  url: string;
  id?: string;
  category?: string;
  title?: string;
  description?: string;
}

/** A feed that fetched and parsed, and how it was found. */
interface FoundFeed {
  feedUrl: string;
  /** The feed document as fetched (XML or JSON). */
  text: string;
  feed: ParsedFeed;
  /** The HTML page it was discovered from, when the URL given was a page. */
  page?: { url: string; html: string; how: 'link' | 'usual-place' };
  /** Set when the feed answered with a permanent redirect: the new address was used. */
  movedFrom?: string;
}

/** Runs the command; resolves to the exit code: 0 added, 1 refused or failed, 2 usage error. */
export async function runFeedsAdd(args: string[], deps: FeedsAddDeps): Promise<number> {
  return runCommand(args, deps, {
    name: 'feeds:add',
    usage: FEEDS_ADD_USAGE,
    parse: parseAddArgs,
    run: (request) => addSource(request, deps),
  });
}

function parseAddArgs(args: string[]): AddRequest | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      id: { type: 'string' },
      category: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'give the address of a site or a feed' : 'give one address at a time');
  }
  const url = urlFromArgument(positionals[0]!);
  if (url === undefined) throw new UsageError(`'${positionals[0]}' is not an http(s) address`);
  if (values.id !== undefined && !ID_PATTERN.test(values.id)) {
    throw new UsageError(`--id must be lowercase letters, digits and single hyphens, like 'regina-holliday' (got '${values.id}')`);
  }
  const category = categoryOption(values.category);
  for (const key of ['title', 'description'] as const) {
    if (values[key] !== undefined && cleanText(values[key]) === '') throw new UsageError(`--${key} is empty`);
  }
  return {
    url,
    ...(values.id !== undefined && { id: values.id }),
    ...(category !== undefined && { category }),
    ...(values.title !== undefined && { title: cleanText(values.title) }),
    ...(values.description !== undefined && { description: cleanText(values.description) }),
  };
}


async function addSource(request: AddRequest, deps: FeedsAddDeps): Promise<number> {
  const file = deps.feedsFile;
  const text = await readFeedsText(file);
  const current = parseFeedsText(text, file);
  if (!current.ok) {
    for (const issue of current.issues) deps.stderr(`${formatIssue(issue)}\n`);
    return refuse(deps, `${file} has problems; fix them first (npm run feeds:check). Nothing added.`);
  }
  // Refusals that need no network come first.
  const early = duplicateProblem(text, file, request.url, request.id);
  if (early !== undefined) return refuse(deps, early);
  const categories = new CategoryVocabulary(current.config.sources);
  const category = request.category ?? categories.fallback;
  if (category === undefined) return refuse(deps, noCategoryMessage(file, categories));

  // The operator's own URL is named, as is every source in the file; where a page's links lead is not.
  const named = [...current.config.sources, { feed: request.url }];
  const found = await withNetworkGuard(named, deps, (fetchDeps) => findFeed(request.url, { ...deps, ...fetchDeps }));
  if (!found.ok) return refuse(deps, found.message);
  const source = buildSource(request, found.value, category);
  const duplicate = duplicateProblem(text, file, source.feed!, source.id, request.id === undefined);
  if (duplicate !== undefined) return refuse(deps, duplicate);

  const updated = appendSource(text, source);
  const check = parseFeedsText(updated, file);
  if (!check.ok) {
    for (const issue of check.issues) deps.stderr(`${formatIssue(issue)}\n`);
    return refuse(deps, `the new source would not validate; ${file} is unchanged.`);
  }
  await writeFeedsFile(file, updated, text);
  deps.stdout(addedReport(file, source, found.value, categories));
  return 0;
}

async function readFeedsText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new Error(code === 'ENOENT' ? `cannot read ${file}: no such file (set FEEDS_FILE to its path)` : `cannot read ${file}: ${message}`);
  }
}

function refuse(deps: FeedsAddDeps, message: string): number {
  deps.stderr(`feeds:add: ${message}\n`);
  return 1;
}

function noCategoryMessage(file: string, categories: CategoryVocabulary): string {
  return (
    `no --category given, and ${file} files no source under '${DEFAULT_CATEGORY}': its categories are ${categories.describe()}. ` +
    'Choose one with --category (or a new word). Nothing added.'
  );
}

/** Why the source cannot go in: its feed is listed already, or its id is taken. */
function duplicateProblem(text: string, file: string, feedUrl: string, id: string | undefined, idWasGuessed = false): string | undefined {
  const key = feedUrlKey(feedUrl);
  const listed = listedSources(text).find((s) => s.feed !== undefined && feedUrlKey(s.feed) === key);
  if (listed) return `${file} already lists ${listed.feed} as source '${listed.id}'. Nothing added.`;
  if (id !== undefined && existingIds(text).has(id)) {
    const hint = idWasGuessed ? 'give this one its own with --id' : 'choose another with --id';
    return `the id '${id}' is already used in ${file}; ${hint}. Nothing added.`;
  }
  return undefined;
}

// ---- finding the feed ------------------------------------------------------------------------

/** What finding a feed needs: the command's deps and the guard its fetches go through. */
type FindDeps = FeedsAddDeps & FetchOnceDeps;

async function findFeed(url: string, deps: FindDeps): Promise<Outcome<FoundFeed>> {
  const first = await fetchText(url, deps);
  if (!first.ok) return { ok: false, message: `cannot fetch ${url}: ${first.message}` };
  const direct = await readAsFeed(first.value.body, first.value.finalUrl, deps.now);
  if (direct.ok) return { ok: true, value: { ...first.value.moved(url), text: first.value.body, feed: direct.value } };

  const pageUrl = first.value.finalUrl;
  const html = first.value.body;
  const declared = discoverFeeds(html, pageUrl);
  const named = [...declared].sort((a, b) => feedTypeRank(a.type) - feedTypeRank(b.type));
  const how = named.length > 0 ? 'link' : 'usual-place';
  const candidates = (how === 'link' ? named.map((f) => f.url) : commonFeedUrls(pageUrl)).filter((c) => c !== pageUrl);
  // Guessing addresses is not what the operator asked for: say so, and where, before the requests go out.
  if (how === 'usual-place') deps.stderr(guessingNotice(pageUrl, candidates));
  const failures: string[] = [];
  for (const candidate of candidates) {
    const fetched = await fetchText(candidate, deps);
    const parsed = fetched.ok ? await readAsFeed(fetched.value.body, fetched.value.finalUrl, deps.now) : fetched;
    if (fetched.ok && parsed.ok) {
      const page = { url: pageUrl, html, how } as const;
      return { ok: true, value: { ...fetched.value.moved(candidate), text: fetched.value.body, feed: parsed.value, page } };
    }
    failures.push(`  ${candidate}: ${parsed.ok ? '' : parsed.message}`);
  }
  return { ok: false, message: notFoundMessage(url, direct.message, named.length, failures) };
}

/**
 * The order a page's feed links are tried in: RSS and Atom first, the formats the portal has read
 * longest; then JSON Feed; a bare application/json last, as it is often no feed at all (WordPress
 * names its REST API that way on every page).
 */
function feedTypeRank(type: string): number {
  if (type === 'application/feed+json') return 1;
  return type.includes('json') ? 2 : 0;
}

function guessingNotice(pageUrl: string, candidates: string[]): string {
  const lines = [
    `feeds:add: ${pageUrl} is not a feed and names none with <link rel="alternate">; trying the usual feed addresses:`,
    ...candidates.map((c) => `  ${c}`),
  ];
  return `${lines.join('\n')}\n`;
}

function notFoundMessage(url: string, notAFeed: string, namedCount: number, failures: string[]): string {
  if (namedCount > 0) {
    const feeds = namedCount === 1 ? 'a feed' : `${namedCount} feeds`;
    return `${url} names ${feeds}, but none could be read:\n${failures.join('\n')}`;
  }
  return (
    `${url} is not a feed (${notAFeed}) and names none with <link rel="alternate">; ` +
    `none of the ${failures.length} usual addresses tried has one either. ` +
    'Find the feed address on the site and give it directly.'
  );
}

// ---- the new source ----------------------------------------------------------------------------

function buildSource(request: AddRequest, found: FoundFeed, category: string): SourceConfig {
  const pageFacts = found.page ? describePage(found.page.html) : {};
  const feedFacts = describeFeed(found.text);
  const title = request.title ?? (cleanText(found.feed.title) || pageFacts.title || new URL(found.feedUrl).hostname);
  const description =
    request.description ?? shortDescription(feedFacts.description ?? pageFacts.description ?? defaultDescription(title));
  return {
    id: request.id ?? (slugify(title) || hostSlug(found.feedUrl)),
    title,
    site: siteFor(request, found),
    feed: found.feedUrl,
    description,
    category,
  };
}

/**
 * The page the operator gave, when the feed was found through it: that is the site they meant,
 * whatever the feed's own link says (often a platform's home, or a blog's front page for a
 * section's feed). Given the feed itself: the feed's link, else its origin.
 */
function siteFor(request: AddRequest, found: FoundFeed): string {
  if (found.page) return request.url;
  const link = found.feed.link;
  return isHttpUrl(link) ? link : siteOf(found.feedUrl);
}

function addedReport(file: string, source: SourceConfig, found: FoundFeed, categories: CategoryVocabulary): string {
  const how =
    found.page?.how === 'link'
      ? `found through <link rel="alternate"> on ${found.page.url}`
      : found.page
        ? `found at a usual feed address under ${found.page.url}`
        : 'the address given is the feed';
  const lines = [
    `feeds:add: added '${source.id}' to ${file}`,
    `  title:       ${source.title}`,
    `  feed:        ${source.feed} (${how})`,
    `  site:        ${source.site}`,
    `  category:    ${source.category}${categoryNote(source.category, file, categories)}`,
    `  description: ${source.description}`,
    `  entries:     ${found.feed.entries.length} in the feed now`,
  ];
  if (found.movedFrom) lines.push(`  note: ${found.movedFrom} redirects permanently to ${source.feed}; the new address was recorded`);
  lines.push('Edit the entry by hand to change any of these; check the file with npm run feeds:check.');
  return `${lines.join('\n')}\n`;
}

/** Allowed, since the operator typed it, but said: a new category is a new section on the home page. */
function categoryNote(category: string, file: string, categories: CategoryVocabulary): string {
  return categories.isNew(category) ? ` (new to ${file}, which uses ${categories.describe()})` : '';
}
