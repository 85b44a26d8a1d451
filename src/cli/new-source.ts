// The pieces of a new source that feeds:add and feeds:import work out for the operator.
import { UsageError } from './command.js';

/** The feeds file's rules for ids and categories (see config/feeds-schema.ts). */
export const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const CATEGORY_PATTERN = /^[a-z0-9-]+$/;
export const DEFAULT_CATEGORY = 'general';

const MAX_ID_LENGTH = 40;
/** Folder names are compared whole: a cut slug could match a category the folder does not name. */
const UNCUT = Number.MAX_SAFE_INTEGER;
const MAX_DESCRIPTION_LENGTH = 300;

/** "Regina Holliday's Medical Advocacy Blog" → "regina-hollidays-medical-advocacy-blog" */
export function slugify(text: string, maxLength = MAX_ID_LENGTH): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= maxLength) return slug;
  // Cut at a word boundary when there is one in reach.
  const cut = slug.slice(0, maxLength + 1);
  const lastHyphen = cut.lastIndexOf('-');
  return (lastHyphen > maxLength / 2 ? cut.slice(0, lastHyphen) : slug.slice(0, maxLength)).replace(/-+$/, '');
}

/** "https://www.example.org/feed" → "example-org" */
export function hostSlug(url: string): string {
  if (!URL.canParse(url)) return '';
  return slugify(new URL(url).hostname.replace(/^www\./, ''));
}

/** `base` when free, else `base-2`, `base-3` ... */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Whitespace collapsed, ends trimmed; '' for nothing. */
export function cleanText(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** A description short enough for the home page: cut at a word near 300 characters. */
export function shortDescription(text: string): string {
  const clean = cleanText(text);
  if (clean.length <= MAX_DESCRIPTION_LENGTH) return clean;
  const cut = clean.slice(0, MAX_DESCRIPTION_LENGTH);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > 200 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/** Said of a source whose feed and page describe nothing. */
export function defaultDescription(title: string): string {
  return `Posts from ${title}.`;
}

export function isHttpUrl(text: string | undefined): text is string {
  if (text === undefined || !URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:';
}

/** The site's home page for a feed that names none: the feed's origin. */
export function siteOf(feedUrl: string): string {
  return new URL('/', feedUrl).href;
}

/**
 * The URL the operator typed, made absolute: "example.org/blog" becomes "https://example.org/blog".
 * Undefined when it is not an http(s) URL.
 */
export function urlFromArgument(raw: string): string | undefined {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`;
  if (!isHttpUrl(withScheme)) return undefined;
  const url = new URL(withScheme);
  return url.hostname.includes('.') || url.hostname === 'localhost' || url.hostname.startsWith('[') ? url.href : undefined;
}

/** `--category WORD` as the feeds file spells categories (lowercase); a UsageError when it cannot be one. */
export function categoryOption(raw: string | undefined): string | undefined {
  const category = raw?.trim().toLowerCase();
  if (category !== undefined && !CATEGORY_PATTERN.test(category)) {
    throw new UsageError(`--category must be one lowercase word (a-z, 0-9, '-'), like 'advocacy' (got '${raw}')`);
  }
  return category;
}

// ---- the file's categories ---------------------------------------------------------------------

/**
 * The categories a feeds file already uses: the vocabulary a new source is filed under. The
 * operator chose them; a command that invents one ('general', an aggregator's folder name) adds a
 * section to the home page nobody asked for.
 */
export class CategoryVocabulary {
  /** Sorted, each once. */
  readonly used: readonly string[];

  constructor(sources: readonly { category: string }[]) {
    this.used = [...new Set(sources.map((s) => s.category))].sort();
  }

  has(category: string): boolean {
    return this.used.includes(category);
  }

  /** A category the file does not use yet, so a new section on the home page; none is new to a file with no sources. */
  isNew(category: string): boolean {
    return this.used.length > 0 && !this.has(category);
  }

  /**
   * The category of a source nobody gave one: `general`, when the file already files sources
   * under it or has none yet; otherwise undefined, and the operator has to choose.
   */
  get fallback(): string | undefined {
    return this.used.length === 0 || this.has(DEFAULT_CATEGORY) ? DEFAULT_CATEGORY : undefined;
  }

  /** The file's category an aggregator's folder names: "Patient Advocacy" gives 'patient-advocacy' if the file uses it. */
  forFolder(folder: string | undefined): string | undefined {
    const slug = slugify(folder ?? '', UNCUT);
    return slug !== '' && this.has(slug) ? slug : undefined;
  }

  /** "'advocacy', 'news' and 'research'", for messages. */
  describe(): string {
    const quoted = this.used.map((c) => `'${c}'`);
    return quoted.length <= 1 ? (quoted[0] ?? 'none') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
  }
}
