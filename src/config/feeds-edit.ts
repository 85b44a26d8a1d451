// Edits to feeds.yaml made by the operator's commands (feeds:add, feeds:import): new sources are
// appended without disturbing a byte of what the operator wrote.
//
// The new items are built with the yaml Document API. They are put into the file through yaml's
// concrete syntax tree (CST), which stringifies untouched tokens exactly as they were read, so
// comments, blank lines, comment alignment and hand-wrapped text all stay as they are. Re-printing
// the whole Document would re-wrap every folded description and re-space every comment. When the
// file's `sources:` is not a non-empty block list (missing, empty, `[]`, a flow list) the Document
// API alone appends and re-prints the file; comments and order still survive.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CST, Document, Parser, Scalar, YAMLSeq, isMap, isNode, isSeq, parseDocument } from 'yaml';
import type { YAMLMap } from 'yaml';
import type { SourceConfig } from '../core/types.js';

/** A description longer than this is written as a folded block (`>-`), like the hand-written ones. */
const FOLD_DESCRIPTION_OVER = 60;
/** Where generated lines wrap, indentation included; the seed file wraps near column 95. */
const LINE_WIDTH = 96;

/** A source as the file spells it: snake_case keys in the documented order, absent keys left out. */
export function sourceToYaml(source: SourceConfig): Record<string, unknown> {
  const entries: [string, unknown][] = [
    ['id', source.id],
    ['title', source.title],
    ['site', source.site],
    ['feed', source.feed],
    ['description', source.description],
    ['category', source.category],
    ['include', source.include],
    ['exclude', source.exclude],
    ['max_entries', source.maxEntries],
    ['poll_minutes', source.pollMinutes],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

/** `text` with `source` appended to its `sources:` list. Throws when `text` is not YAML. */
export function appendSource(text: string, source: SourceConfig): string {
  return appendSources(text, [source]);
}

/** `text` with every one of `sources` appended, in order, in one edit. */
export function appendSources(text: string, sources: readonly SourceConfig[]): string {
  if (sources.length === 0) return text;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`feeds-edit: the feeds file is not valid YAML: ${doc.errors[0]!.message}`);
  const items = sources.map(sourceToYaml);
  const expected = [...listedItems(doc.toJS()), ...items];
  const spliced = spliceIntoBlockList(text, items);
  if (spliced !== undefined && isDeepStrictEqual(listedItems(parseDocument(spliced).toJS()), expected)) return spliced;
  return appendThroughDocument(text, items);
}

/** Every id in the file's `sources:` list (a file that does not validate gives what it can). */
export function existingIds(text: string): Set<string> {
  return new Set(listedSources(text).map((s) => s.id));
}

/** Every feed URL in the file, as `feedUrlKey` keys. */
export function existingFeedUrls(text: string): Set<string> {
  return new Set(listedSources(text).flatMap((s) => (s.feed === undefined ? [] : [feedUrlKey(s.feed)])));
}

/** The id and feed of each source in the file, as far as the file can be read. */
export function listedSources(text: string): { id: string; feed?: string }[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return [];
  return listedItems(doc.toJS()).flatMap((item) => {
    if (item === null || typeof item !== 'object') return [];
    const { id, feed } = item as Record<string, unknown>;
    if (typeof id !== 'string') return [];
    return [typeof feed === 'string' ? { id, feed } : { id }];
  });
}

/**
 * What makes two feed URLs the same feed: scheme, a trailing slash and a #fragment aside, and
 * host case as URL normalises it. `https://x.org/feed/` and `http://X.org/feed` are one feed.
 */
export function feedUrlKey(url: string): string {
  const trimmed = url.trim();
  if (!URL.canParse(trimmed)) return trimmed;
  const parsed = new URL(trimmed);
  parsed.hash = '';
  const rest = parsed.href.slice(parsed.protocol.length);
  return rest.replace(/\/+(\?|$)/, '$1');
}

/**
 * Replaces the file at `file` with `text` atomically (a temporary file beside it, then a rename),
 * keeping its permissions. Refuses when the file no longer holds `expected` (edited meanwhile).
 */
export async function writeFeedsFile(file: string, text: string, expected: string): Promise<void> {
  const [current, mode] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mode & 0o777)]);
  if (current !== expected) throw new Error(`${file} changed while the command ran; nothing written, run it again`);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', mode });
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

function listedItems(data: unknown): unknown[] {
  if (data === null || typeof data !== 'object') return [];
  const sources = (data as Record<string, unknown>)['sources'];
  return Array.isArray(sources) ? sources : [];
}

/** One list item's YAML, `- id: ...`, built by the Document API, indented to `column`. */
function itemText(item: Record<string, unknown>, column: number): string {
  const doc = new Document([item]);
  const map = (doc.contents as { items: unknown[] }).items[0];
  if (isMap(map)) foldLongDescription(map);
  const text = doc.toString({ lineWidth: Math.max(40, LINE_WIDTH - column) });
  const pad = ' '.repeat(column);
  return text.replace(/^(?=.)/gm, pad);
}

function foldLongDescription(map: YAMLMap): void {
  const description = map.get('description', true);
  if (description instanceof Scalar && String(description.value).length > FOLD_DESCRIPTION_OVER) {
    description.type = Scalar.BLOCK_FOLDED;
  }
}

type Token = CST.Token;
type SeqItem = CST.BlockSequence['items'][number];

/** The CST splice: undefined when the file's `sources:` is not a non-empty block list. */
function spliceIntoBlockList(text: string, items: Record<string, unknown>[]): string | undefined {
  const tokens = [...new Parser().parse(text)];
  const seq = sourcesBlockList(tokens);
  if (seq === undefined) return undefined;
  const column = itemColumn(text, seq.items[0]!);
  if (column === undefined) return undefined;
  const blankLines = seq.items.slice(1).some((item) => item.start[0]?.type === 'newline');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let endsInNewline = CST.stringify(seq).endsWith('\n');
  for (const item of items) {
    const parsed = parseItem(itemText(item, column).replace(/\n/g, eol));
    if (parsed === undefined) return undefined;
    const lead: CST.SourceToken[] = [];
    if (!endsInNewline) lead.push(newline(eol));
    if (blankLines) lead.push(newline(eol));
    parsed.start.unshift(...lead);
    seq.items.push(parsed);
    endsInNewline = true;
  }
  return tokens.map((token) => CST.stringify(token)).join('');
}

function sourcesBlockList(tokens: Token[]): CST.BlockSequence | undefined {
  const document = tokens.find((t): t is CST.Document => t.type === 'document');
  const top = document?.value;
  if (top?.type !== 'block-map') return undefined;
  const entry = top.items.find((item) => item.key?.type === 'scalar' && item.key.source === 'sources');
  const value = entry?.value;
  return value?.type === 'block-seq' && value.items.length > 0 ? value : undefined;
}

/** The column of the first item's '-', which every new item shares. */
function itemColumn(text: string, first: SeqItem): number | undefined {
  const dash = first.start.find((t) => t.type === 'seq-item-ind');
  if (dash === undefined) return undefined;
  return dash.offset - (text.lastIndexOf('\n', dash.offset - 1) + 1);
}

/** `  - id: ...` as one CST list item, its indentation moved into the item's own start. */
function parseItem(yamlText: string): SeqItem | undefined {
  const document = [...new Parser().parse(yamlText)].find((t): t is CST.Document => t.type === 'document');
  const seq = document?.value;
  if (seq?.type !== 'block-seq' || seq.items.length !== 1) return undefined;
  const item = seq.items[0]!;
  item.start.unshift(...document!.start);
  return item;
}

function newline(eol: string): CST.SourceToken {
  return { type: 'newline', offset: 0, indent: 0, source: eol };
}

/** The Document API alone: for a file whose `sources:` is missing, empty or a flow list. */
function appendThroughDocument(text: string, items: Record<string, unknown>[]): string {
  const doc = parseDocument(text);
  const nodes = items.map((item) => {
    const node = doc.createNode(item);
    if (isMap(node)) foldLongDescription(node);
    return node;
  });
  const current = doc.get('sources', true);
  if (isSeq(current) && current.items.length > 0) {
    for (const node of nodes) current.items.push(node);
  } else {
    // Missing, `sources:` with nothing, or `sources: []`: a fresh block list reads best.
    const seq = new YAMLSeq();
    seq.items.push(...nodes);
    seq.flow = false;
    if (isNode(current)) {
      seq.commentBefore = current.commentBefore;
      seq.comment = current.comment;
    }
    doc.set('sources', seq);
  }
  return doc.toString({ lineWidth: LINE_WIDTH });
}
