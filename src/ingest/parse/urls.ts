// URL resolution for feed links and xml:base chains. Only http(s) URLs ever leave this file.

/** `ref` resolved against `base` (WHATWG rules), or undefined when either cannot be parsed. */
export function resolveUrl(ref: string | undefined, base?: string): URL | undefined {
  if (ref === undefined) return undefined;
  try {
    return base === undefined ? new URL(ref.trim()) : new URL(ref.trim(), base);
  } catch {
    return undefined;
  }
}

function isHttp(url: URL | undefined): url is URL {
  return url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:');
}

/**
 * `ref` as an absolute http(s) URL, resolved against `base` when relative; undefined otherwise.
 * An empty `ref` means "the base itself" (as in XML), so it is resolved too.
 */
export function absoluteHttpUrl(ref: string | undefined, base?: string): string | undefined {
  if (ref === undefined) return undefined;
  let url = resolveUrl(ref, base);
  // A base that does not parse must not take a good absolute reference down with it.
  if (url === undefined && base !== undefined) url = resolveUrl(ref);
  return isHttp(url) ? url.href : undefined;
}

/**
 * The base URL in force after a chain of xml:base values (outermost first), each resolved against
 * the one before, starting from `documentUrl`. A value that does not give an http(s) URL
 * (`javascript:` and the like) is skipped. When the chain sets nothing, `fallback` applies.
 */
export function resolveBaseChain(documentUrl: string, chain: readonly string[], fallback: string): string {
  let current = documentUrl;
  let applied = false;
  for (const value of chain) {
    const next = absoluteHttpUrl(value, current);
    if (next !== undefined) {
      current = next;
      applied = true;
    }
  }
  return applied ? current : fallback;
}
