// The shape of feeds.yaml as written (snake_case keys), with messages an operator can act on.
import * as z from 'zod';
import { messageOf } from '../core/errors.js';

export const DEFAULT_TIMEZONE = 'America/Chicago';
export const DEFAULT_MAX_ENTRIES = 200;
/** How many entries one source may have in the home page's Current Conversations. */
export const DEFAULT_PER_SOURCE_ON_HOME = 3;

export const TOP_KEYS = ['site', 'sources'] as const;
export const SITE_KEYS = ['title', 'tagline', 'url', 'timezone', 'max_entries', 'per_source_on_home', 'contributors'] as const;
export const CONTRIBUTOR_KEYS = ['name', 'role', 'url'] as const;
export const SOURCE_KEYS = [
  'id', 'title', 'site', 'feed', 'description', 'category', 'include', 'exclude', 'max_entries', 'poll_minutes',
] as const;

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CATEGORY = /^[a-z0-9-]+$/;

/** What a YAML value is, in an operator's words. */
export function describeValue(input: unknown): string {
  if (input === null) return 'empty';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a block of keys';
  if (typeof input === 'string') return `the text ${JSON.stringify(input)}`;
  return `the ${typeof input} ${String(input)}`;
}

/** Message for a missing key or a value of the wrong kind. */
function kindMessage(name: string, expected: string, input: unknown): string {
  if (input === undefined) return `missing required key ${name}`;
  if (input === null) return `${name} has no value: expected ${expected}`;
  const quoteHint = expected === 'text' && typeof input !== 'object' ? ' (put it in quotes to use it as text)' : '';
  return `${name} must be ${expected}, but it is ${describeValue(input)}${quoteHint}`;
}

/** Error option for a block: our message when it is not a block; zod's own (unknown keys) otherwise. */
function blockError(name: string, expected: string) {
  return (iss: { code?: string; input?: unknown }) =>
    iss.code === 'invalid_type' ? kindMessage(name, expected, iss.input) : undefined;
}

/** A check returns the problem with a value, or undefined when it is fine. */
type Check<T> = (value: T) => string | undefined;

/** Adds one issue with the check's message; one per value, never a pile of overlapping ones. */
function checked<T>(check: Check<T>) {
  return (value: T, ctx: z.RefinementCtx) => {
    const problem = check(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
  };
}

/** Non-empty text, trimmed unless `trim` is false (a pattern's spaces can matter: " ai "). */
function text(name: string, check?: Check<string>, trim = true) {
  return z
    .string({ error: (iss) => kindMessage(name, 'text', iss.input) })
    .transform((s) => (trim ? s.trim() : s))
    .superRefine(checked((s) => (s === '' ? `${name} is empty` : check?.(s))));
}

const isHttpUrl = (s: string): boolean => {
  if (!URL.canParse(s)) return false;
  const { protocol } = new URL(s);
  return protocol === 'http:' || protocol === 'https:';
};

const httpUrl = (name: string) =>
  text(name, (s) =>
    isHttpUrl(s) ? undefined : `${name} must be an absolute http(s) URL, like https://example.org/ (got '${s}')`,
  );

const isTimeZone = (s: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return true;
  } catch {
    return false;
  }
};

const positiveInt = (name: string) =>
  z
    .number({ error: (iss) => kindMessage(name, 'a whole number', iss.input) })
    .superRefine(
      checked((n) =>
        Number.isInteger(n) && n > 0 ? undefined : `${name} must be a whole number above 0 (got ${n})`,
      ),
    );

/** The RegExp error for a pattern, or undefined when it compiles. */
function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (err) {
    return `pattern '${pattern}' is not a valid regular expression: ${messageOf(err)}`;
  }
}

const patterns = (key: string) =>
  z.array(text(`each '${key}' pattern`, regexProblem, false), {
    error: (iss) => kindMessage(`'${key}'`, `a list of patterns, like ["patient engagement"]`, iss.input),
  });

const siteSchema = z.strictObject(
  {
    title: text("'title'"),
    tagline: text("'tagline'"),
    url: httpUrl("'url'").transform((u) => (u.endsWith('/') ? u : `${u}/`)),
    timezone: text("'timezone'", (s) =>
      isTimeZone(s) ? undefined : `'timezone' must be an IANA time zone, like ${DEFAULT_TIMEZONE} (got '${s}')`,
    ).optional(),
    max_entries: positiveInt("'max_entries'").optional(),
    per_source_on_home: positiveInt("'per_source_on_home'").optional(),
    contributors: z
      .array(
        z.strictObject(
          { name: text("'name'"), role: text("'role'").optional(), url: httpUrl("'url'").optional() },
          { error: blockError('each contributor', "a block of keys starting with '- name:'") },
        ),
        { error: (iss) => kindMessage("'contributors'", "a list of people, each starting with '- name:'", iss.input) },
      )
      .optional(),
  },
  { error: blockError("'site'", 'a block of keys (title, tagline, url)') },
);

const sourceSchema = z.strictObject(
  {
    id: text("'id'", (s) =>
      SLUG.test(s)
        ? undefined
        : `'id' must be a slug of lowercase letters, digits and single hyphens, like 'regina-holliday' (got '${s}')`,
    ),
    title: text("'title'"),
    site: httpUrl("'site'"),
    feed: httpUrl("'feed'").optional(),
    description: text("'description'"),
    category: text("'category'", (s) =>
      CATEGORY.test(s)
        ? undefined
        : `'category' must be one lowercase word (a-z, 0-9, '-'), like 'advocacy' (got '${s}')`,
    ),
    include: patterns('include').optional(),
    exclude: patterns('exclude').optional(),
    max_entries: positiveInt("'max_entries'").optional(),
    poll_minutes: positiveInt("'poll_minutes'").optional(),
  },
  { error: blockError('each source', "a block of keys starting with '- id:'") },
);

export const feedsFileSchema = z.strictObject(
  {
    site: siteSchema,
    sources: z.array(sourceSchema, {
      error: (iss) =>
        kindMessage("'sources'", "a list of sources, each starting with '- id:' (write 'sources: []' for none)", iss.input),
    }),
  },
  { error: blockError('the feeds file', "a block of keys with 'site:' and 'sources:'") },
);

export type FeedsFileData = z.output<typeof feedsFileSchema>;
export type SourceData = FeedsFileData['sources'][number];

/** The keys allowed in the block at a zod path, for "did you mean" on unknown keys. */
export function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return TOP_KEYS;
  if (path.length === 1 && path[0] === 'site') return SITE_KEYS;
  if (path.length === 3 && path[0] === 'site' && path[1] === 'contributors') return CONTRIBUTOR_KEYS;
  if (path.length === 2 && path[0] === 'sources') return SOURCE_KEYS;
  return [];
}
