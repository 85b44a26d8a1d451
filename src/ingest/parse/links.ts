// The links of an entry or feed: which one is "the" link, and the rest (enclosures) for others.
import type { ElementOutline } from './outline.js';
import { attrOf, rawList, textOf, type RawNode, type RawRecord } from './raw.js';
import { absoluteHttpUrl } from './urls.js';

/** The base URL in force at an element of the pre-pass outline (or the entry's when unknown). */
export type BaseOf = (element?: ElementOutline) => string;

/** The outline of the i-th of `nodes`, trusted only when the pre-pass saw the same elements. */
function outlineAt(outlines: readonly ElementOutline[] | undefined, nodes: readonly RawNode[], i: number): ElementOutline | undefined {
  return outlines !== undefined && outlines.length === nodes.length ? outlines[i] : undefined;
}

export interface LinkCandidate {
  href: string;
  rel: string;
  type: string;
  length?: string;
  element?: ElementOutline;
}

/** Every <link>: Atom's href/rel/type attributes, or RSS's text. */
export function linkCandidates(record: RawRecord, outlines: readonly ElementOutline[] | undefined): LinkCandidate[] {
  const nodes = rawList(record, 'link');
  return nodes.map((node, i) => ({
    href: (attrOf(node, 'href') ?? textOf(node)).trim(),
    rel: (attrOf(node, 'rel') ?? 'alternate').trim().toLowerCase(),
    type: (attrOf(node, 'type') ?? '').trim().toLowerCase(),
    length: attrOf(node, 'length'),
    element: outlineAt(outlines, nodes, i),
  }));
}

/** The page the entry (or feed) points to: the first HTML alternate link, else the first alternate. */
export function alternateLink(candidates: readonly LinkCandidate[], baseOf: BaseOf): string | undefined {
  const alternates = candidates.filter((c) => c.href !== '' && c.rel === 'alternate');
  const ordered = [...alternates.filter((c) => c.type === '' || c.type.includes('html')), ...alternates];
  for (const candidate of ordered) {
    const url = absoluteHttpUrl(candidate.href, baseOf(candidate.element));
    if (url !== undefined) return url;
  }
  return undefined;
}

/** RSS <guid> that is (by default) the permalink, when no <link> was given. */
export function permalinkGuid(record: RawRecord): string | undefined {
  const guid = rawList(record, 'guid')[0];
  if (attrOf(guid, 'isPermaLink')?.trim().toLowerCase() === 'false') return undefined;
  return absoluteHttpUrl(textOf(guid).trim());
}
