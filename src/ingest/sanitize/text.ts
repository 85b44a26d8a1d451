// The plain text of sanitized HTML, without a second HTML parse. sanitize-html's output is
// canonical: only allow-listed tags, every "<" and ">" in text and attribute values escaped, every
// "&" written as "&amp;", no comments. So a tag is exactly "<...>" and the only entities are the
// four it writes; the text comes out as htmlToText would read it.
import { plainText } from '../parse/text.js';

/** The allow-listed elements that separate words (as htmlToText's WORD_BREAKS). */
const WORD_BREAKS = new Set([
  'blockquote', 'br', 'caption', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'h3', 'h4', 'h5', 'h6',
  'hr', 'img', 'li', 'ol', 'p', 'pre', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);

const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)[^>]*>/g;
const ENTITY = /&(amp|lt|gt|quot);/g;
const ENTITY_TEXT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

function tagSeparator(_tag: string, name: string): string {
  return WORD_BREAKS.has(name.toLowerCase()) ? ' ' : '';
}

function entityText(_entity: string, name: string): string {
  return ENTITY_TEXT[name] ?? '';
}

/** Plain text of `html`, which must be sanitizeHtml's output. */
export function textOfSanitizedHtml(html: string): string {
  if (!html) return '';
  const text = html.replace(TAG, tagSeparator);
  return plainText(text.includes('&') ? text.replace(ENTITY, entityText) : text);
}
