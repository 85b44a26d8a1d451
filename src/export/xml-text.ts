// Text safe for XML 1.0: what the spec's Char production allows, nothing else.

/**
 * C0 controls other than tab, LF and CR; U+FFFE and U+FFFF; and UTF-16 surrogates that are not
 * half of a pair. (XML 1.0 `Char`; C1 controls are allowed, so they stay.)
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Drops every character XML 1.0 forbids, so any writer can take the text as it is. */
export function cleanXmlText(text: string): string {
  return text.replace(FORBIDDEN, '');
}

/** `cleanXmlText` for optional values: undefined and null stay undefined, '' stays ''. */
export function cleanOptional(text: string | null | undefined): string | undefined {
  return text === null || text === undefined ? undefined : cleanXmlText(text);
}
