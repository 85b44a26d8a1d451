// Text constructs (titles, summaries, content) to HTML, whatever way the feed wrote them:
// RSS escaped HTML, Atom 1.0 type="text|html|xhtml", Atom 0.3 MIME types with mode="xml|escaped|base64".
import type { ElementOutline } from './outline.js';
import { attrOf, hasChildElements, textOf, type XmlNode } from './xml.js';
import { escapeHtml, textToHtml } from './text.js';

/** How an element's text is to be read when it says nothing itself. */
export type DefaultKind = 'html' | 'text';

type Kind = 'html' | 'text' | 'xhtml' | 'none';

function kindOfType(type: string | undefined, fallback: DefaultKind): Kind {
  if (type === undefined || type === '') return fallback;
  if (type === 'text' || type === 'text/plain') return 'text';
  if (type === 'html' || type === 'text/html') return 'html';
  if (type === 'xhtml' || type === 'application/xhtml+xml') return 'xhtml';
  if (type.endsWith('+xml') || type.endsWith('/xml')) return 'xhtml';
  return type.startsWith('text/') ? 'text' : 'none';
}

const CDATA_START = '<![CDATA[';
const CDATA_END = ']]>';

/**
 * CDATA sections written inside inline XHTML are text; an HTML parser would drop them. A plain
 * scan rather than a lazy regular expression, which is quadratic on many unclosed "<![CDATA[".
 */
function cdataToText(xml: string): string {
  let out = '';
  let pos = 0;
  for (;;) {
    const start = xml.indexOf(CDATA_START, pos);
    const end = start < 0 ? -1 : xml.indexOf(CDATA_END, start + CDATA_START.length);
    if (end < 0) return out + xml.slice(pos);
    out += xml.slice(pos, start) + escapeHtml(xml.slice(start + CDATA_START.length, end));
    pos = end + CDATA_END.length;
  }
}

/** Inline XHTML to HTML: its source text, with namespace prefixes an HTML parser would not know. */
function xhtmlToHtml(inner: string): string {
  return cdataToText(inner).replace(/<(\/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])/g, '<$1');
}

function decodeBase64(text: string): string {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
}

/**
 * The HTML of one text construct. `outline` is the same element in the document's outline (its source
 * text is needed for inline XHTML); `fallback` is how to read an element with no type attribute.
 */
export function textConstructHtml(node: XmlNode | undefined, outline: ElementOutline | undefined, fallback: DefaultKind): string {
  if (node === undefined) return '';
  if (attrOf(node, 'src') !== undefined && !textOf(node).trim()) return ''; // out-of-line content
  const type = attrOf(node, 'type')?.trim().toLowerCase();
  const mode = attrOf(node, 'mode')?.trim().toLowerCase();
  let kind = kindOfType(type, fallback);
  if (mode === 'base64') {
    if (kind === 'none') return '';
    return toHtml(kind === 'text' ? 'text' : 'html', decodeBase64(textOf(node)), outline);
  }
  if (mode === 'escaped' && kind === 'xhtml') kind = 'html';
  // Markup written inline where escaped text was promised: the source text is the best reading.
  if (hasChildElements(node) && kind !== 'none') kind = 'xhtml';
  return toHtml(kind, textOf(node), outline);
}

function toHtml(kind: Kind, text: string, outline: ElementOutline | undefined): string {
  switch (kind) {
    case 'html':
      return text.trim();
    case 'text':
      return textToHtml(text);
    case 'xhtml':
      return outline?.inner !== undefined ? xhtmlToHtml(outline.inner).trim() : textToHtml(text);
    case 'none':
      return '';
  }
}
