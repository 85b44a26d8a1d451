// The 745 sanitizer cases of feedparser's corpus (wellformed/sanitize), through parseFeed and
// sanitizeEntry. Hard rule: no violation in any field the portal shows. Then, for the record,
// how our output compares with what feedparser expects, with every deliberate difference named.
import path from 'node:path';
import { Parser } from 'htmlparser2';
import { expect, it } from 'vitest';
import { describeWithCorpus } from '../../../test/helpers/corpus.js';
import type { FeedMeta, NormalEntry } from '../../core/types.js';
import { parseFeed } from '../parse/index.js';
import { corpusRoot, feedparserFetchUrl, filesUnder, headerLine, readCorpusFile } from '../parse/testing/corpus.js';
import { htmlToText, plainText } from '../parse/text.js';
import { findSanitizeViolations, sanitizeEntry, sanitizeFeedMeta } from './index.js';

const SANITIZE_DIR = path.join(corpusRoot, 'feedparser/tests/wellformed/sanitize');
const NOW = Date.UTC(2025, 0, 1);

interface Outcome {
  name: string;
  meta: FeedMeta;
  entry?: NormalEntry;
  entries: NormalEntry[];
  expect?: string;
}

async function runCase(file: string): Promise<Outcome> {
  const text = readCorpusFile(file);
  const fetchUrl = feedparserFetchUrl(file, text);
  const feed = await parseFeed(text, fetchUrl, NOW);
  const entries = feed.entries.map((e) => sanitizeEntry(e, fetchUrl));
  return { name: path.basename(file), meta: sanitizeFeedMeta(feed, fetchUrl), entry: entries[0], entries, expect: headerLine(text, 'Expect') };
}

function shownFields(o: Outcome): string[] {
  return [
    o.meta.title ?? '', o.meta.link ?? '', o.meta.icon ?? '',
    ...o.entries.flatMap((e) => [e.title, e.link, e.author ?? '', e.contentHtml, e.excerpt, ...e.categories, ...e.enclosures.map((x) => x.url)]),
  ];
}

// ---- feedparser's expectations: `not bozo and FIELD == <python string expression>` ----

function pythonString(literal: string): string {
  const body = literal.replace(/^u?("""|'''|"|')([\s\S]*)\1$/, '$2');
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_all, esc: string) => {
    if (esc.length > 1) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[esc] ?? esc;
  });
}

function parseExpectation(expect: string | undefined): { field: string; value: string } | undefined {
  const match = /^not bozo and (\S+) == (.+)$/.exec(expect ?? '');
  if (!match) return undefined;
  const literals = match[2]!.match(/u?("""[\s\S]*?"""|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g) ?? [];
  return { field: match[1]!, value: literals.map(pythonString).join('') };
}

/** The field of ours that stands for feedparser's, or undefined where the portal keeps no such field. */
function ourValue(field: string, o: Outcome): string | undefined {
  if (/^entries\[0\]\['(description|summary)'\]$|^entries\[0\]\['content'\]\[0\]\['value'\]$/.test(field)) return o.entry?.contentHtml ?? '';
  if (field === "entries[0]['title']") return o.entry?.title ?? '';
  if (field === "feed['title']") return o.meta.title ?? '';
  return undefined;
}

function elementsOf(html: string): string[] {
  const names: string[] = [];
  const parser = new Parser({ onopentag: (name) => names.push(/^h[1-6]$/.test(name) ? 'h*' : name) });
  parser.write(html);
  parser.end();
  return names;
}

/**
 * Same text, and every element we kept is one feedparser kept too (we may keep fewer). Attributes
 * are not compared: the portal keeps far fewer than feedparser (no style, align, class…) by design.
 */
function agrees(ours: string, expected: string): boolean {
  if (plainText(htmlToText(ours)) !== plainText(htmlToText(expected))) return false;
  const allowed = elementsOf(expected);
  return elementsOf(ours).every((name) => {
    const i = allowed.indexOf(name);
    if (i >= 0) allowed.splice(i, 1);
    return i >= 0;
  });
}

/** Where we differ from feedparser on purpose. Matched against the case's file name. */
const DELIBERATE: ReadonlyArray<[RegExp, string]> = [
  [/_crazy\.xml$/, "the document's <title>, script text and comments are dropped; feedparser keeps them as text"],
  [/_iframe\.xml$/, 'the text inside <iframe> is dropped (browsers never show it); feedparser keeps it'],
  [/^acceptable_element_br\.xml$/, '"</br>" reads as a second <br>, as in browsers (HTML parsing rules)'],
  [/^xml_malicious_comment\.xml$/, 'HTML comments end only at "-->", so the comment runs to the end, as in browsers; feedparser uses SGML rules'],
  [/^xml_declaration_unexpected_character\.xml$/, 'an unterminated "<!" declaration in an HTML title is markup, not text'],
];

function deliberateReason(name: string): string | undefined {
  return DELIBERATE.find(([pattern]) => pattern.test(name))?.[1];
}

describeWithCorpus('feedparser sanitize corpus through parseFeed and sanitizeEntry', async () => {
  const files = filesUnder(SANITIZE_DIR);
  const outcomes = await Promise.all(files.map(runCase));

  it('has all 745 cases, and every one parses', () => {
    expect(files).toHaveLength(745);
    expect(outcomes).toHaveLength(745);
  });

  it('no violation survives in any field the portal shows', () => {
    const violations = outcomes.flatMap((o) => shownFields(o).flatMap(findSanitizeViolations).map((v) => `${o.name}: ${v}`));
    expect(violations).toEqual([]);
  });

  it('agrees with feedparser on text and kept elements, except where it differs on purpose', () => {
    const tally = { agree: 0, deliberate: 0, fieldNotKept: 0, noExpectation: 0 };
    const byReason = new Map<string, string[]>();
    const unexplained: string[] = [];
    for (const o of outcomes) {
      const expectation = parseExpectation(o.expect);
      const ours = expectation && ourValue(expectation.field, o);
      if (!expectation) tally.noExpectation += 1;
      else if (ours === undefined) tally.fieldNotKept += 1; // subtitle, rights, info: not shown by the portal
      else if (agrees(ours, expectation.value)) tally.agree += 1;
      else if (deliberateReason(o.name)) {
        tally.deliberate += 1;
        const reason = deliberateReason(o.name)!;
        byReason.set(reason, [...(byReason.get(reason) ?? []), o.name]);
      }
      else unexplained.push(`${o.name}: ours ${JSON.stringify(ours)}, feedparser ${JSON.stringify(expectation.value)}`);
    }
    console.info(`feedparser sanitize corpus: ${JSON.stringify(tally)}`);
    for (const [reason, names] of byReason) console.info(`  on purpose (${names.length}): ${reason}: ${names.join(', ')}`);
    expect(unexplained).toEqual([]);
    // Every listed reason is still needed.
    expect([...byReason.keys()].sort()).toEqual(DELIBERATE.map(([, reason]) => reason).sort());
    expect(tally.agree).toBeGreaterThan(500);
  });
});
