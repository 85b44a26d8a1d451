// An independent check of sanitized HTML (entries, pages): parses it the way the sanitizer's own
// parser does and lists everything that could run script or load active content.
import { Parser } from 'htmlparser2';

/** Elements that must never reach a page built from feed content. */
const FORBIDDEN_ELEMENTS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input',
  'button', 'textarea', 'select', 'svg', 'math', 'link', 'meta', 'base', 'template', 'portal',
]);

/** Attributes that are dangerous whatever their value. */
const FORBIDDEN_ATTRIBUTES = new Set(['srcdoc', 'formaction', 'style']);

/** Attributes holding a URL (or, for srcset, a list of them). */
const URL_ATTRIBUTES = new Set([
  'href', 'src', 'srcset', 'action', 'formaction', 'cite', 'background', 'poster', 'data', 'codebase',
  'classid', 'archive', 'longdesc', 'usemap', 'lowsrc', 'dynsrc', 'profile', 'manifest', 'ping',
  'xlink:href', 'itemid', 'icon',
]);

const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

/**
 * The URL as a browser reads its scheme: leading/trailing C0 controls and spaces trimmed, tabs and
 * newlines anywhere removed (entities are already decoded by the parser), lower-cased.
 */
function normalizedUrl(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it matches
  return value.replace(/[\u0000-\u0020\u007F-\u009F]+/g, '').toLowerCase();
}

/** The scheme of a URL ('javascript', 'http'…), or undefined for a relative URL. */
function schemeOf(value: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/.exec(normalizedUrl(value))?.[1];
}

function urlsOf(name: string, value: string): string[] {
  if (name !== 'srcset') return [value];
  return value.split(',').map((candidate) => candidate.trim().split(/\s+/)[0] ?? '');
}

function attributeViolations(tag: string, attribs: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(attribs)) {
    if (name.startsWith('on')) found.push(`<${tag}> has event handler attribute ${name}`);
    else if (FORBIDDEN_ATTRIBUTES.has(name)) found.push(`<${tag}> has forbidden attribute ${name}`);
    if (!URL_ATTRIBUTES.has(name)) continue;
    for (const url of urlsOf(name, value)) {
      const scheme = schemeOf(url);
      if (scheme !== undefined && !SAFE_SCHEMES.has(scheme)) found.push(`<${tag} ${name}> uses the ${scheme}: scheme`);
    }
  }
  return found;
}

/**
 * Everything in `html` that a sanitizer should have removed: forbidden elements (script, style,
 * iframe, object, embed, form and its controls, svg, math, link, meta, base…), event handler
 * attributes, srcdoc/formaction/style attributes, and URL attributes whose scheme is not http,
 * https, mailto or tel. An empty list means the fragment passed.
 */
export function findSanitizeViolations(html: string): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (FORBIDDEN_ELEMENTS.has(name)) found.push(`forbidden element <${name}>`);
        found.push(...attributeViolations(name, attribs));
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}
