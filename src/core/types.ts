// The portal's domain types. Every other folder imports these; this file imports nothing of ours.

/** Site-wide settings from the `site:` block of the feeds file. */
export interface SiteSettings {
  title: string;
  tagline: string;
  /** Public base URL, always ending in '/'. */
  url: string;
  /** IANA zone used to show dates on the pages. */
  timezone: string;
  /** Newest entries kept per source unless the source says otherwise (`max_entries`, default 200). */
  maxEntries: number;
  /** At most this many entries of one source on the home page (`per_source_on_home`, default 3); the loader always sets it. */
  perSourceOnHome?: number;
  /** The people /about thanks (`contributors`); absent when the file names none. */
  contributors?: Contributor[];
}

/** One person who helped make the portal, as the feeds file names them. */
export interface Contributor {
  name: string;
  role?: string;
  /** An http(s) address only. */
  url?: string;
}

/** One source as the operator wrote it in the feeds file. */
export interface SourceConfig {
  /** Slug: a-z, 0-9 and '-'. */
  id: string;
  title: string;
  /** The source's home page. */
  site: string;
  /** Absent for a link-only source (a Facebook page, a single article): listed, never polled. */
  feed?: string;
  description: string;
  category: string;
  /** Keep only entries whose title or text matches one of these (case-insensitive regular expressions). */
  include?: string[];
  /** Drop entries whose title or text matches one of these (case-insensitive regular expressions). */
  exclude?: string[];
  /** Newest entries kept for this source (`max_entries`); the site's default applies when absent. */
  maxEntries?: number;
  /** Poll this source at most once in this many minutes (`poll_minutes`); every pass when absent. */
  pollMinutes?: number;
}

export interface FeedsConfig {
  site: SiteSettings;
  sources: SourceConfig[];
}

/** A file:line:col located problem in the feeds file. */
export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
}

/** The feed-level facts kept for a source. */
export interface FeedMeta {
  /** The feed's own global id (Atom <id>), kept so re-exported entries can name their origin. */
  id?: string;
  title?: string;
  link?: string;
  icon?: string;
}

/**
 * One entry in the portal's normal form, after parsing and normalising but before sanitizing
 * (`contentHtml` is the source's raw HTML) or after it (the sanitizer's output), as the stage says.
 */
export interface NormalEntry {
  /** Stable id: guid / Atom id, else the link, else a hash of title and date. */
  entryId: string;
  /** Plain text: entities decoded, tags stripped. */
  title: string;
  /** Absolute URL of the original, or '' when the source gave none. */
  link: string;
  author?: string;
  /** Milliseconds since the epoch; never later than the fetch time. */
  publishedAt: number;
  /**
   * True when the parser made publishedAt up (no date given, or one later than the fetch time).
   * When absent, refresh takes a publishedAt equal to the fetch time it handed the parser as guessed.
   */
  publishedAtGuessed?: boolean;
  /** Milliseconds since the epoch, when the source gave one. */
  updatedAt?: number;
  categories: string[];
  enclosures: Enclosure[];
  contentHtml: string;
  /** Plain text of about 300 characters. */
  excerpt: string;
  /** Plain text of the whole content, for search. */
  contentText: string;
  /**
   * Base URL for the relative URLs inside `contentHtml` (xml:base, else the feed's link, else the
   * fetch URL), set by the parser for the sanitizer, which makes every URL absolute.
   */
  baseUrl?: string;
}

export interface ParsedFeed extends FeedMeta {
  entries: NormalEntry[];
}

/** What one fetch of a feed gave. */
export type FetchResult =
  | {
      kind: 'ok';
      status: number;
      /** Decoded to a JavaScript string whatever the charset. */
      body: string;
      /** The URL the body finally came from, after redirects. */
      finalUrl: string;
      etag?: string;
      lastModified?: string;
      /** Set when a 301/308 moved the feed: the operator should update their file. */
      permanentRedirectTo?: string;
      /** The response's HTTP Link header, where a WebSub hub may be named. */
      link?: string;
      bytes: number;
      durationMs: number;
    }
  | {
      kind: 'not-modified';
      status: 304;
      finalUrl: string;
      etag?: string;
      lastModified?: string;
      permanentRedirectTo?: string;
      durationMs: number;
    }
  | {
      kind: 'error';
      /** HTTP status when the server answered, else undefined (network error, timeout, cap). */
      status?: number;
      /** Stage-prefixed, human-readable: "fetch: timed out after 20000 ms". */
      message: string;
      /**
       * Short machine code: 'timeout', 'too-large', 'too-many-redirects', 'http', 'network', 'gone',
       * 'bad-url', or 'blocked' (a private network address no source in the feeds file names).
       */
      code: FetchErrorCode;
      /** Milliseconds from a Retry-After header (429, 503). */
      retryAfterMs?: number;
      permanentRedirectTo?: string;
      durationMs: number;
    };

export type FetchErrorCode =
  | 'timeout'
  | 'too-large'
  | 'too-many-redirects'
  | 'http'
  | 'gone'
  | 'network'
  | 'bad-url'
  | 'blocked';

/**
 * Why a source's last attempt failed, in one machine word the public status pages can show (the
 * full message stays in the log): a fetch's code; 'blocked', a fetch led to a private network
 * address; 'parse', the body is not a feed it could read; 'too-complex', its parse or sanitize ran
 * past its time or memory budget; 'internal', a bug or a store failure.
 */
export type SourceErrorKind = FetchErrorCode | 'blocked' | 'parse' | 'too-complex' | 'internal';

/** What the conditional-GET validators of a source are. */
export interface CacheValidators {
  etag?: string;
  lastModified?: string;
}

/** Outcome of refreshing one source, as `npm run poll` prints it. */
/** 'taken': another process held the source (or fetched it since this pass listed it), so this one left it alone. */
export type RefreshOutcome = 'updated' | 'unchanged' | 'not-modified' | 'error' | 'skipped' | 'gone' | 'taken';

export interface RefreshReport {
  sourceId: string;
  outcome: RefreshOutcome;
  status?: number;
  added: number;
  updated: number;
  ms: number;
  /** The full message, for the log and `npm run poll`. */
  error?: string;
  errorKind?: SourceErrorKind;
  /** New URL after a permanent redirect, for the operator to put in the file. */
  movedTo?: string;
}
