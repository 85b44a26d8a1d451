// Turns YAML errors, zod issues and cross-source checks into FILE:LINE:COL issues.
import { isScalar } from 'yaml';
import type { Document, LineCounter, Node, YAMLError } from 'yaml';
import type * as z from 'zod';
import type { ConfigIssue } from '../core/types.js';
import { knownKeysAt } from './feeds-schema.js';
import { suggestKey } from './suggest.js';
import { lineColAt, locate, pairNamed, startOf } from './yaml-positions.js';
import type { Located } from './yaml-positions.js';

/** What every issue maker needs: the parsed document and how to turn offsets into lines. */
export interface IssueContext {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

export function issueAt(ctx: IssueContext, offset: number | undefined, message: string): ConfigIssue {
  return { file: ctx.file, ...lineColAt(ctx.lineCounter, offset), message };
}

export function yamlSyntaxIssue(ctx: IssueContext, error: YAMLError): ConfigIssue {
  const offset = error.pos[0];
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^[^:\n]+/.exec(ctx.text.slice(offset))?.[0].trim() ?? '';
    return issueAt(ctx, offset, `duplicate key '${key}': each key may appear only once in a block`);
  }
  return issueAt(ctx, offset, `YAML syntax error: ${error.message}`);
}

/** An empty value (`title:` and nothing after) has no text of its own: point at its key. */
function valueOffset(located: Located): number | undefined {
  const { node, key } = located;
  const empty = isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
  return startOf(empty ? key : node) ?? startOf(key);
}

function unknownKeyIssues(ctx: IssueContext, issue: z.core.$ZodIssueUnrecognizedKeys): ConfigIssue[] {
  const block = locate(ctx.doc, issue.path).node;
  const known = knownKeysAt(issue.path);
  return issue.keys.map((key) => {
    const suggestion = suggestKey(key, known);
    const hint = suggestion ? ` (did you mean '${suggestion}'?)` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
    return issueAt(ctx, startOf(pairNamed(block, key)?.key as Node | undefined), `unknown key '${key}'${hint}`);
  });
}

/** One zod issue as located issues: at the unknown key, the bad value, or the block missing a key. */
export function schemaIssues(ctx: IssueContext, issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') return unknownKeyIssues(ctx, issue);
  const located = locate(ctx.doc, issue.path);
  const offset = located.found ? valueOffset(located) : startOf(located.node);
  return [issueAt(ctx, offset, issue.message)];
}

/** A second source with an id already used, reported at the second, naming the first's line. */
export function duplicateIdIssues(ctx: IssueContext, data: unknown): ConfigIssue[] {
  const sources = (data as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources)) return [];
  const firstLine = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  sources.forEach((source: unknown, index) => {
    const id = (source as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id.trim() === '') return;
    const issue = issueAt(ctx, startOf(locate(ctx.doc, ['sources', index]).node), '');
    const first = firstLine.get(id.trim());
    if (first === undefined) firstLine.set(id.trim(), issue.line);
    else issues.push({ ...issue, message: `duplicate id '${id.trim()}': the source at line ${first} already uses it` });
  });
  return issues;
}

/** Issues in reading order, so the first one printed is the first one in the file. */
export function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return a.line - b.line || a.col - b.col;
}
