// View models: stored rows turned into exactly what the templates print (already formatted, links checked).
import { stripBidiControlsAndNoncharacters as singleLine } from '../../core/single-line-text.js';
import type { Contributor } from '../../core/types.js';
import type { HomeTeaser, SearchHit, SourceCredit, SourceSummary, StreamTeaser } from '../../store/index.js';
import { safeHref, type ShownTime } from './format.js';

export interface EntryView {
  title: string;
  /** The original's address; absent when the source gave none we can link to. */
  href?: string;
  sourceId: string;
  sourceTitle: string;
  sourcePath: string;
  author?: string;
  time: ShownTime;
  excerpt: string;
  /** The other sources that carried the same post, in the order they had it. */
  alsoFrom: SourceLink[];
  /** On the home page, the last entry shown of a source some of whose newer entries were left out. */
  more?: { count: number; path: string };
}

export interface SourceLink {
  title: string;
  path: string;
}

/** The credited sources other than the entry's own, as links. */
function otherSources(sources: readonly SourceCredit[] | undefined, ownId: string): SourceLink[] {
  return (sources ?? []).filter((s) => s.id !== ownId).map((s) => ({ title: s.title, path: sourcePath(s.id) }));
}

// Titles and authors lose bidi controls and noncharacters at ingest; rows stored before that lose
// them here too (a regular expression over a short string, on pages that are cached).
export function toEntryView(entry: StreamTeaser | HomeTeaser, formatTime: (ms: number) => ShownTime): EntryView {
  const more = 'moreFromSource' in entry ? entry.moreFromSource : undefined;
  return {
    title: singleLine(entry.title).trim() || 'Untitled post',
    href: safeHref(entry.link),
    sourceId: entry.sourceId,
    sourceTitle: entry.sourceTitle,
    sourcePath: sourcePath(entry.sourceId),
    author: entry.author === null ? undefined : singleLine(entry.author),
    time: formatTime(entry.publishedAt),
    excerpt: entry.excerpt,
    alsoFrom: otherSources(entry.sources, entry.sourceId),
    ...(more ? { more: { count: more, path: `/conversations?${new URLSearchParams({ source: entry.sourceId }).toString()}` } } : {}),
  };
}

export interface SourceView {
  id: string;
  title: string;
  path: string;
  siteHref?: string;
  feedHref?: string;
  description: string;
  category: string;
  /** /conversations filtered to this source's category. */
  categoryPath: string;
  /** Listed and linked, never polled: a Facebook page, a single article. */
  linkOnly: boolean;
  entryCount: number;
}

export function toSourceView(row: SourceSummary): SourceView {
  return {
    id: row.id,
    title: row.title,
    path: sourcePath(row.id),
    siteHref: safeHref(row.site_url),
    feedHref: safeHref(row.feed_url),
    description: row.description,
    category: row.category,
    categoryPath: `/conversations?${new URLSearchParams({ category: row.category }).toString()}`,
    linkOnly: row.feed_url === null,
    entryCount: row.entry_count,
  };
}

export interface SearchResultView {
  /** Marked text for the `highlight` helper, which escapes it. */
  titleMarked: string;
  snippetMarked: string;
  href?: string;
  sourceTitle: string;
  sourcePath: string;
  time: ShownTime;
  alsoFrom: SourceLink[];
}

export function toSearchResultView(hit: SearchHit, formatTime: (ms: number) => ShownTime): SearchResultView {
  return {
    titleMarked: singleLine(hit.titleHighlighted).trim() || singleLine(hit.title).trim() || 'Untitled post',
    snippetMarked: hit.snippet,
    href: safeHref(hit.link),
    sourceTitle: hit.sourceTitle,
    sourcePath: sourcePath(hit.sourceId),
    time: formatTime(hit.publishedAt),
    alsoFrom: otherSources(hit.sources, hit.sourceId),
  };
}

export function sourcePath(id: string): string {
  return `/sources/${encodeURIComponent(id)}`;
}

export interface ContributorView {
  name: string;
  role?: string;
  href?: string;
}

/** The feeds file's contributors, as /about lists them (a link only when the address is http(s)). */
export function contributorViews(contributors: readonly Contributor[] | undefined): ContributorView[] {
  return (contributors ?? []).map((person) => ({ name: person.name, role: person.role, href: safeHref(person.url) }));
}
