// Finds the YAML node behind a data path, so an issue points at the exact key or value.
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';

export interface LineCol {
  line: number;
  col: number;
}

/** Where a path led: the deepest node reached, and whether the whole path was found. */
export interface Located {
  /** The value node at the path, or the deepest existing ancestor when `found` is false. */
  node: Node | null;
  /** The key node when the last step found a map key. */
  key: Node | null;
  found: boolean;
}

function resolve(doc: Document, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return (node as Node | null) ?? null;
}

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** The pair of a map whose key reads as `name`. */
export function pairNamed(node: Node | null, name: string): Pair<Node, Node | null> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => keyText(pair) === name) as Pair<Node, Node | null> | undefined;
}

/** Walks `path` (map keys and list indexes) from the document's root. */
export function locate(doc: Document, path: readonly PropertyKey[]): Located {
  let node = resolve(doc, doc.contents);
  let key: Node | null = null;
  for (const step of path) {
    const next = stepInto(doc, node, step);
    if (!next) return { node, key, found: false };
    ({ node, key } = next);
  }
  return { node, key, found: true };
}

function stepInto(doc: Document, node: Node | null, step: PropertyKey): { node: Node | null; key: Node | null } | undefined {
  if (isSeq(node) && typeof step === 'number') {
    const item = node.items[step];
    return item === undefined ? undefined : { node: resolve(doc, item), key: null };
  }
  const pair = pairNamed(node, String(step));
  return pair ? { node: resolve(doc, pair.value), key: pair.key } : undefined;
}

/** Start offset of a node, when the parser recorded one. */
export function startOf(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

export function lineColAt(lineCounter: LineCounter, offset: number | undefined): LineCol {
  if (offset === undefined) return { line: 1, col: 1 };
  const { line, col } = lineCounter.linePos(offset);
  return { line, col };
}
