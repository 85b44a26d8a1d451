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

/**
 * YAML syntax errors as an editor would explain them: what to change, at the line to change. A tab
 * in the indentation throws off everything after it, so those lines are all that is reported; other
 * errors are reported once per line.
 */
export function yamlSyntaxIssues(ctx: IssueContext, errors: readonly YAMLError[]): ConfigIssue[] {
  const lines = ctx.text.split('\n');
  const tabs = tabIndentIssues(ctx, lines);
  if (tabs.length > 0) return tabs;
  const byLine = new Map<number, ConfigIssue>();
  for (const error of errors) {
    const issue = explainSyntaxError(ctx, lines, error);
    if (!byLine.has(issue.line)) byLine.set(issue.line, issue);
  }
  return [...byLine.values()];
}

function tabIndentIssues(ctx: IssueContext, lines: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  lines.forEach((text, index) => {
    const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
    const tab = indent.indexOf('\t');
    if (tab < 0 || indent.length === text.trimEnd().length) return;
    const message = 'a tab in the indentation: YAML indents with spaces only, so replace the tab with spaces';
    issues.push({ file: ctx.file, line: index + 1, col: tab + 1, message });
  });
  return issues;
}

/** `key: value` on a line, with what comes before the key (indentation and any list dash). */
const KEY_LINE = /^(\s*(?:-\s+)?)([^\s:#'"][^:#]*?):(?:\s+(.*))?$/;

function explainSyntaxError(ctx: IssueContext, lines: readonly string[], error: YAMLError): ConfigIssue {
  const offset = error.pos[0];
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^[^:\n]+/.exec(ctx.text.slice(offset))?.[0].trim() ?? '';
    return issueAt(ctx, offset, `duplicate key '${key}': each key may appear only once in a block`);
  }
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY' || error.code === 'MULTILINE_IMPLICIT_KEY') {
    const { line } = lineColAt(ctx.lineCounter, offset);
    const explained = unquotedColon(ctx, lines, line) ?? overIndented(ctx, lines, line);
    if (explained) return explained;
  }
  return issueAt(ctx, offset, `YAML syntax error: ${error.message}`);
}

/** `description: Note: moved` reads as a key inside a value: say to quote the value. */
function unquotedColon(ctx: IssueContext, lines: readonly string[], line: number): ConfigIssue | undefined {
  const text = lines[line - 1] ?? '';
  const match = KEY_LINE.exec(text);
  const value = match?.[3]?.trimEnd();
  if (!match || !value || /^['"[{|>]/.test(value) || !/:(\s|$)/.test(value)) return undefined;
  const key = match[2]!;
  const quoted = JSON.stringify(value.replace(/\s+#.*$/, ''));
  const message = `the value of '${key}' holds ': ', which YAML reads as another key: put the whole value in double quotes, like ${key}: ${quoted}`;
  return { file: ctx.file, line, col: text.indexOf(value, match[1]!.length + key.length) + 1, message };
}

/** A line indented deeper than the `key: value` above it: point at that line, not the one above. */
function overIndented(ctx: IssueContext, lines: readonly string[], line: number): ConfigIssue | undefined {
  const match = KEY_LINE.exec(lines[line - 1] ?? '');
  if (!match) return undefined;
  const keyColumn = match[1]!.length;
  const next = lines.findIndex((text, index) => index >= line && text.trim() !== '' && !text.trim().startsWith('#'));
  if (next < 0) return undefined;
  const indent = /^ */.exec(lines[next]!)?.[0].length ?? 0;
  if (indent <= keyColumn) return undefined;
  const nextKey = KEY_LINE.exec(lines[next]!)?.[2];
  const what = nextKey ? `'${nextKey}'` : 'this line';
  const message = `${what} is indented more than '${match[2]}' on line ${line}: keys of one block line up, so start it at column ${keyColumn + 1}`;
  return { file: ctx.file, line: next + 1, col: indent + 1, message };
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
