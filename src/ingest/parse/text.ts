// Plain-text helpers shared by the parser and the sanitizer.
import { Parser } from 'htmlparser2';

/** Elements whose text is never content a reader should see. */
const HIDDEN_TEXT = new Set([
  'script', 'style', 'noscript', 'template', 'textarea', 'title', 'head',
  'iframe', 'frame', 'frameset', 'svg', 'math', 'select', 'button', 'xmp', 'noembed', 'noframes', 'plaintext',
]);

/** Elements that separate words when their markup is removed. */
const WORD_BREAKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'div', 'dl', 'dt',
  'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'img',
  'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'tfoot', 'th',
  'thead', 'tr', 'ul',
]);

// C0/C1 control characters other than whitespace, and the BOM.
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF]/g;

/**
 * Whitespace that is not already a single space: a run of two or more, or one tab, newline, NBSP...
 * Replacing only these leaves ordinary text untouched (no new string), unlike /\s+/g.
 */
const UNTIDY_SPACE = /\s{2,}|[^\S ]/g;

/** Collapses every run of whitespace to one space, drops control characters, trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(CONTROL_CHARS, '').replace(UNTIDY_SPACE, ' ').trim();
}

/**
 * Text of an HTML fragment as a reader sees it: tags removed (with the text of script, style and
 * the like), words kept apart where blocks meet, entities decoded, whitespace collapsed.
 */
export function htmlToText(html: string): string {
  if (!html) return '';
  // No tag and no entity: nothing for a parser to do (most titles).
  if (!html.includes('<') && !html.includes('&')) return collapseWhitespace(html);
  const parts: string[] = [];
  let hiddenDepth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (HIDDEN_TEXT.has(name)) hiddenDepth += 1;
        if (WORD_BREAKS.has(name)) parts.push(' ');
      },
      onclosetag(name) {
        if (HIDDEN_TEXT.has(name) && hiddenDepth > 0) hiddenDepth -= 1;
        if (WORD_BREAKS.has(name)) parts.push(' ');
      },
      ontext(text) {
        if (hiddenDepth === 0) parts.push(text);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return collapseWhitespace(parts.join(''));
}

/** Anything an HTML parser would take for a tag, comment, doctype or processing instruction. */
const TAG_LIKE = /<[a-zA-Z/!?][^<>]*>/g;
/** What is left of a tag opener once whole tags are gone: "<" (or "<<<") before a letter, / ! or ?. */
const TAG_OPENER = /<+(?=[a-zA-Z/!?])/g;

/**
 * Plain text made safe to keep as plain text: whole tags are cut out, then any "<" that could
 * still open one (the remains of "<<b>script>", an unclosed "<img") is deleted, so no markup is
 * left and no pass can reassemble it. Both passes are linear. Entities are left alone: the text
 * was decoded once already, and decoding again would turn a literal "&lt;" into "<". Unlike
 * htmlToText, the words after a stray "<script>" in the text survive.
 */
export function plainText(text: string | undefined): string {
  if (!text) return '';
  if (!text.includes('<')) return collapseWhitespace(text);
  return collapseWhitespace(text.replace(TAG_LIKE, '').replace(TAG_OPENER, ''));
}

/** Plain text of HTML, with nothing left that could read as markup. */
export function textOfHtml(html: string): string {
  return plainText(htmlToText(html));
}

/** Escapes text for use as HTML (text content and quoted attribute values). */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Plain text shown as HTML: escaped, line breaks kept. */
export function textToHtml(text: string): string {
  return escapeHtml(text.trim()).replace(/\r?\n/g, '<br>');
}

export const EXCERPT_LENGTH = 300;

/** About `max` characters of `text`, cut at a word boundary and marked with '…' when cut. */
export function makeExcerpt(text: string, max = EXCERPT_LENGTH): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max);
  const lastSpace = cut.lastIndexOf(' ');
  // Cut at the last space unless that throws away most of the excerpt (one very long word).
  if (lastSpace > max * 0.6) cut = cut.slice(0, lastSpace);
  // Never leave half of a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.replace(/[\s,;:.\-–—]+$/, '') + '…';
}

/** Text no longer than `max` characters (cut like an excerpt when longer). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : makeExcerpt(text, max - 1);
}
