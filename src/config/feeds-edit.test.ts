import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../core/types.js';
import {
  appendSource,
  appendSources,
  existingFeedUrls,
  existingIds,
  feedUrlKey,
  listedSources,
  sourceToYaml,
  writeFeedsFile,
} from './feeds-edit.js';
import { parseFeedsText } from './feeds-file.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const commented = () => readFile(path.join(repoRoot, 'test/fixtures/operators/feeds-commented.yaml'), 'utf8');
const SITE = 'site: {title: T, tagline: G, url: "https://portal.test/"}\n';

const source: SourceConfig = {
  id: 'new-blog',
  title: 'New Blog: the #1 place',
  site: 'https://new.test/',
  feed: 'https://new.test/feed.xml',
  description: 'A description long enough to be folded onto more than one line by the writer, like the others.',
  category: 'general',
};

/** The sources of `text` as the loader reads them; fails the test when the file does not validate. */
function sourcesOf(text: string): SourceConfig[] {
  const result = parseFeedsText(text, 'feeds.yaml');
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.line}:${i.col}: ${i.message}`).join('\n'));
  return result.config.sources;
}

describe('appendSource', () => {
  it('appends to the commented file, leaving every byte before it as it was', async () => {
    const text = await commented();
    const out = appendSource(text, source);
    expect(out.startsWith(text)).toBe(true);
    expect(out.slice(text.length)).toBe(
      [
        '',
        '  - id: new-blog',
        '    title: "New Blog: the #1 place"',
        '    site: https://new.test/',
        '    feed: https://new.test/feed.xml',
        '    description: >-',
        '      A description long enough to be folded onto more than one line by the writer, like the',
        '      others.',
        '    category: general',
        '',
      ].join('\n'),
    );
    expect(sourcesOf(out).map((s) => s.id)).toEqual(['first-blog', 'link-only', 'new-blog']);
    expect(sourcesOf(out).at(-1)).toEqual(source);
  });

  it('appends to the shipped feeds.default.yaml and the result still validates', async () => {
    const text = await readFile(path.join(repoRoot, 'feeds.default.yaml'), 'utf8');
    const out = appendSource(text, source);
    expect(out.startsWith(text)).toBe(true);
    const sources = sourcesOf(out);
    expect(sources.at(-1)).toEqual(source);
    expect(sources).toHaveLength(sourcesOf(text).length + 1);
  });

  it('writes snake_case keys in order and leaves absent optional keys out', () => {
    const full: SourceConfig = { ...source, include: ['patient engagement'], exclude: ['sponsored'], maxEntries: 50, pollMinutes: 1440 };
    expect(Object.keys(sourceToYaml(full))).toEqual([
      'id', 'title', 'site', 'feed', 'description', 'category', 'include', 'exclude', 'max_entries', 'poll_minutes',
    ]);
    const linkOnly: SourceConfig = { id: 'l', title: 'L', site: 'https://l.test/', description: 'D', category: 'news' };
    expect(sourceToYaml(linkOnly)).toEqual({ id: 'l', title: 'L', site: 'https://l.test/', description: 'D', category: 'news' });
    const out = appendSource(`${SITE}sources:\n  - id: a\n    title: A\n    site: https://a.test/\n    description: D\n    category: c\n`, full);
    expect(out).toContain('    max_entries: 50\n    poll_minutes: 1440\n');
    expect(sourcesOf(out).at(-1)).toEqual(full);
  });

  it('quotes whatever YAML would misread, so values come back as written', () => {
    const tricky = ['yes', '123', '- dash', 'a: b', '#hash', '"quoted"', "it's", '[x]', 'Ünïcödé — ok', '@at', 'null'];
    const base = `${SITE}sources: []\n`;
    const added = tricky.map((title, i) => ({ ...source, id: `s${i}`, feed: `https://new.test/${i}`, title, description: title }));
    const out = appendSources(base, added);
    expect(sourcesOf(out).map((s) => [s.title, s.description])).toEqual(tricky.map((t) => [t, t]));
  });

  it('appends many sources in one edit, in order, a blank line before each like the file', async () => {
    const text = await commented();
    const out = appendSources(text, [source, { ...source, id: 'second', feed: 'https://second.test/' }]);
    expect(sourcesOf(out).map((s) => s.id)).toEqual(['first-blog', 'link-only', 'new-blog', 'second']);
    expect(out).toMatch(/others\.\n {4}category: general\n\n {2}- id: second\n/);
  });

  it('follows a compact list: the same column, no blank lines', () => {
    const text = `${SITE}sources:\n- id: a\n  title: A\n  site: https://a.test/\n  description: D\n  category: c\n- id: b\n  title: B\n  site: https://b.test/\n  description: D\n  category: c\n`;
    const out = appendSource(text, { ...source, description: 'short' });
    expect(out.slice(text.length)).toMatch(/^- id: new-blog\n {2}title: /);
    expect(sourcesOf(out)).toHaveLength(3);
  });

  it('inserts into the list when other keys and comments follow it', () => {
    const text = `sources:\n  - id: a\n    title: A\n    site: https://a.test/\n    description: D\n    category: c\n# the site block\n${SITE}`;
    const out = appendSource(text, source);
    const listEnd = text.indexOf('# the site block');
    expect(out.startsWith(text.slice(0, listEnd))).toBe(true);
    expect(out.endsWith(text.slice(listEnd))).toBe(true);
    expect(out.slice(listEnd, listEnd + 17)).toBe('  - id: new-blog\n');
    expect(sourcesOf(out).map((s) => s.id)).toEqual(['a', 'new-blog']);
  });

  it('handles a file without a final newline and one with CRLF line ends', () => {
    const noEol = `${SITE}sources:\n  - id: a\n    title: A\n    site: https://a.test/\n    description: D\n    category: c`;
    expect(sourcesOf(appendSource(noEol, source)).map((s) => s.id)).toEqual(['a', 'new-blog']);
    const crlf = `${SITE}sources:\n  - id: a\n    title: A\n    site: https://a.test/\n    description: D\n    category: c\n`.replace(/\n/g, '\r\n');
    const out = appendSource(crlf, source);
    expect(out.startsWith(crlf)).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(sourcesOf(out).map((s) => s.id)).toEqual(['a', 'new-blog']);
  });

  it('creates the list when sources is empty, null or missing, keeping the comments', () => {
    const empty = appendSource(`# top comment\n${SITE}# the list\nsources: []  # none yet\n`, source);
    expect(empty).toContain('# top comment');
    expect(empty).toContain('# the list');
    expect(empty).toContain('# none yet');
    expect(empty).toContain('\n  - id: new-blog\n');
    expect(sourcesOf(empty)).toEqual([source]);
    expect(sourcesOf(appendSource(`${SITE}sources:\n`, source))).toEqual([source]);
    expect(sourcesOf(appendSource(SITE, source))).toEqual([source]);
  });

  it('appends to a flow list', () => {
    const text = `${SITE}sources: [{id: a, title: A, site: "https://a.test/", description: D, category: c}]\n`;
    expect(sourcesOf(appendSource(text, source)).map((s) => s.id)).toEqual(['a', 'new-blog']);
  });

  it('returns the text untouched for nothing to add, and throws on a file that is not YAML', async () => {
    const text = await commented();
    expect(appendSources(text, [])).toBe(text);
    expect(() => appendSource('sources: [\n', source)).toThrow(/^feeds-edit: the feeds file is not valid YAML/);
  });
});

describe('existingIds / existingFeedUrls / listedSources', () => {
  it('reads ids and feed URLs from the file', async () => {
    const text = await commented();
    expect(existingIds(text)).toEqual(new Set(['first-blog', 'link-only']));
    expect(existingFeedUrls(text)).toEqual(new Set([feedUrlKey('https://first.test/feed/')]));
    expect(existingFeedUrls(text).has(feedUrlKey('http://FIRST.test/feed'))).toBe(true);
    expect(listedSources(text)).toEqual([{ id: 'first-blog', feed: 'https://first.test/feed/' }, { id: 'link-only' }]);
  });

  it('gives what it can from a broken or odd file', () => {
    expect(existingIds('sources: [\n')).toEqual(new Set());
    expect(existingIds('just text')).toEqual(new Set());
    expect(existingIds('sources:\n  - id: a\n  - 3\n  - {id: 7}\n  - {id: b, feed: 5}\n')).toEqual(new Set(['a', 'b']));
  });
});

describe('feedUrlKey', () => {
  it('treats scheme, trailing slash, fragment and host case as the same feed', () => {
    const key = feedUrlKey('https://Example.org/feed/#x');
    expect(feedUrlKey('http://example.org/feed')).toBe(key);
    expect(feedUrlKey('  https://example.org/feed  ')).toBe(key);
    expect(feedUrlKey('https://example.org/feed?x=1')).not.toBe(key);
    expect(feedUrlKey('https://example.org/other')).not.toBe(key);
    expect(feedUrlKey('not a url')).toBe('not a url');
  });
});

describe('writeFeedsFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'feeds-edit-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the file, keeps its permissions and leaves no temporary file', async () => {
    const file = path.join(dir, 'feeds.yaml');
    await writeFile(file, 'old\n', { mode: 0o640 });
    await writeFeedsFile(file, 'new\n', 'old\n');
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['feeds.yaml']);
  });

  it('refuses when the file changed since it was read', async () => {
    const file = path.join(dir, 'feeds.yaml');
    await writeFile(file, 'edited by hand\n');
    await expect(writeFeedsFile(file, 'new\n', 'old\n')).rejects.toThrow(/changed while the command ran/);
    expect(await readFile(file, 'utf8')).toBe('edited by hand\n');
  });
});
