// filter: the operator's include/exclude rules for one source, as a predicate over entries.
import type { NormalEntry } from '../../core/types.js';
import { messageOf } from '../../core/errors.js';

export interface EntryFilter {
  /** Keep only entries matching at least one of these (when given and not empty). */
  include?: string[];
  /** Drop entries matching any of these. */
  exclude?: string[];
}

function compilePatterns(patterns: readonly string[] | undefined, which: string): RegExp[] {
  return (patterns ?? []).map((pattern) => {
    try {
      return new RegExp(pattern, 'i');
    } catch (error) {
      const reason = messageOf(error);
      throw new Error(`filter: invalid ${which} pattern ${JSON.stringify(pattern)}: ${reason}`, { cause: error });
    }
  });
}

/** What the rules look at: the title, the plain text of the content, the categories. */
function searchableText(entry: NormalEntry): string {
  return [entry.title, entry.contentText, ...entry.categories].join('\n');
}

/** Without rules every entry is kept: one shared function, not a new closure per feed. */
function keepAll(): boolean {
  return true;
}

/**
 * A predicate that keeps an entry when it matches one of `include` (or there is no include list)
 * and none of `exclude`. Patterns are case-insensitive regular expressions, already validated by
 * the config layer; an invalid one still fails here, with a "filter: " message.
 */
export function compileFilter(rules: EntryFilter): (entry: NormalEntry) => boolean {
  const include = compilePatterns(rules.include, 'include');
  const exclude = compilePatterns(rules.exclude, 'exclude');
  if (include.length === 0 && exclude.length === 0) return keepAll;
  return (entry) => {
    const text = searchableText(entry);
    if (include.length > 0 && !include.some((re) => re.test(text))) return false;
    return !exclude.some((re) => re.test(text));
  };
}
