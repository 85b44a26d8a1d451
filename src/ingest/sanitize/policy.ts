// The sanitize-html allow-list for entry content. Everything not named here is dropped.
import type { IOptions, Transformer } from 'sanitize-html';
import { isTrackingImage, pixelSize, safeHttpUrl, safeLinkUrl } from './urls.js';

/** Every outbound link: no ranking credit, no window.opener, no referrer, user-generated. */
export const OUTBOUND_REL = 'nofollow noopener noreferrer ugc';

const ALLOWED_TAGS = [
  'p', 'br', 'a', 'b', 'i', 'em', 'strong', 'u', 's', 'blockquote', 'q', 'cite', 'code', 'pre',
  'kbd', 'samp', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'h3', 'h4', 'h5', 'h6',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'img', 'figure', 'figcaption',
  'hr', 'sub', 'sup', 'abbr', 'del', 'ins', 'small', 'span', 'div',
];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['title'],
  a: ['href', 'rel'],
  img: ['src', 'alt', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
};

/**
 * Disallowed elements whose text goes with them (other dropped tags leave their text behind, so
 * the fallback content of <object> or <video> still reads). Script, style, document head, frames
 * and form controls hold nothing a reader of the entry should see.
 */
const DROPPED_WITH_TEXT = [
  'script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'title', 'head', 'template',
  'iframe', 'frame', 'frameset', 'noframes', 'noembed', 'svg', 'math', 'select', 'button', 'plaintext',
];

/** Entry headings start at h3: the page's own h1 and h2 stay above them. */
const HEADING_SHIFT: Record<string, string> = { h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6', h6: 'h6' };

type Attribs = Record<string, string>;

/** Copies only the attributes that have a (non-empty) value. */
function defined(attribs: Record<string, string | undefined>): Attribs {
  const out: Attribs = {};
  for (const [name, value] of Object.entries(attribs)) if (value) out[name] = value;
  return out;
}

function dimension(value: string | undefined): string | undefined {
  const pixels = pixelSize(value);
  return pixels === undefined ? undefined : String(pixels);
}

function transforms(baseUrl: string): Record<string, Transformer> {
  const link: Transformer = (tagName, attribs) => {
    const href = safeLinkUrl(attribs.href, baseUrl);
    return { tagName, attribs: defined({ href, title: attribs.title, rel: href ? OUTBOUND_REL : undefined }) };
  };
  const image: Transformer = (tagName, attribs) => ({
    tagName,
    attribs: defined({
      src: safeHttpUrl(attribs.src, baseUrl),
      alt: attribs.alt,
      title: attribs.title,
      width: dimension(attribs.width),
      height: dimension(attribs.height),
    }),
  });
  const citing: Transformer = (tagName, attribs) => ({
    tagName,
    attribs: defined({ ...attribs, cite: safeHttpUrl(attribs.cite, baseUrl) }),
  });
  const heading = (to: string): Transformer => (_tagName, attribs) => ({ tagName: to, attribs });
  const headings = Object.fromEntries(Object.entries(HEADING_SHIFT).map(([from, to]) => [from, heading(to)]));
  return { a: link, img: image, blockquote: citing, q: citing, del: citing, ins: citing, ...headings };
}

/** Distinct base URLs whose options are kept: a feed's entries nearly always share one. */
const POLICIES_KEPT = 64;
const policies = new Map<string, IOptions>();

/** The sanitize-html options for content whose relative URLs resolve against `baseUrl`; built once per base (a pure function of it). */
export function contentPolicy(baseUrl: string): IOptions {
  let policy = policies.get(baseUrl);
  if (!policy) {
    if (policies.size >= POLICIES_KEPT) policies.clear();
    policy = newContentPolicy(baseUrl);
    policies.set(baseUrl, policy);
  }
  return policy;
}

function newContentPolicy(baseUrl: string): IOptions {
  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    // URLs were made absolute by the transforms; anything still protocol-relative is refused.
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: DROPPED_WITH_TEXT,
    parseStyleAttributes: false,
    transformTags: transforms(baseUrl),
    // Images without a usable source, tracking pixels: dropped whole.
    exclusiveFilter: (frame) => frame.tag === 'img' && (!frame.attribs.src || isTrackingImage(frame.attribs)),
    nestingLimit: 100,
  };
}
