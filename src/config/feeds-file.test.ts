import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { formatIssue, loadFeedsFile, parseFeedsText } from './feeds-file.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string) => path.join(repoRoot, 'test/fixtures/config', name);

const SITE = `site:
  title: Test Portal
  tagline: A portal for tests.
  url: https://portal.test/
`;

/** A feeds file whose site block is SITE (lines 1-4) and whose sources start at line 6. */
const withSources = (sources: string) => `${SITE}sources:\n${sources}`;

const GOOD_SOURCE = `  - id: good
    title: Good
    site: https://good.test/
    description: A good source.
    category: advocacy
`;

/** The formatted issues of a text expected to be invalid. */
function issuesOf(text: string): string[] {
  const result = parseFeedsText(text, 'feeds.yaml');
  if (result.ok) throw new Error('expected the feeds file to be invalid');
  return result.issues.map(formatIssue);
}

describe('formatIssue', () => {
  it('writes FILE:LINE:COL: message', () => {
    expect(formatIssue({ file: 'feeds.yaml', line: 3, col: 7, message: 'bad' })).toBe('feeds.yaml:3:7: bad');
  });
});

describe('parseFeedsText: a valid file', () => {
  it('maps snake_case keys to camelCase fields and applies the defaults', () => {
    const text = withSources(GOOD_SOURCE);
    const result = parseFeedsText(text, 'feeds.yaml');
    expect(result).toEqual({
      ok: true,
      text,
      config: {
        site: {
          title: 'Test Portal',
          tagline: 'A portal for tests.',
          url: 'https://portal.test/',
          timezone: 'America/Chicago',
          maxEntries: 200,
          perSourceOnHome: 3,
        },
        sources: [
          { id: 'good', title: 'Good', site: 'https://good.test/', description: 'A good source.', category: 'advocacy' },
        ],
      },
    });
  });

  it('reads per_source_on_home', () => {
    const result = parseFeedsText(`${SITE}  per_source_on_home: 5\nsources: []\n`, 'feeds.yaml');
    expect(result.ok && result.config.site.perSourceOnHome).toBe(5);
  });

  it('accepts an empty list of sources and a chosen time zone', () => {
    const result = parseFeedsText(`${SITE}  timezone: Europe/Oslo\nsources: []\n`, 'feeds.yaml');
    expect(result.ok && result.config.sources).toEqual([]);
    expect(result.ok && result.config.site.timezone).toBe('Europe/Oslo');
  });

  it('keeps the spaces of a pattern, which can matter', () => {
    const result = parseFeedsText(withSources(`${GOOD_SOURCE}    include: [" ai "]\n`), 'feeds.yaml');
    expect(result.ok && result.config.sources[0]?.include).toEqual([' ai ']);
  });

  it('accepts a flow-style source', () => {
    const text = withSources(
      '  - {id: flow, title: Flow, site: "https://flow.test/", description: D, category: research}\n',
    );
    expect(parseFeedsText(text, 'feeds.yaml').ok).toBe(true);
  });
});

describe('parseFeedsText: each kind of bad input, at its exact place', () => {
  it.each([
    ['an unknown source key, with a suggestion', `    feeds: https://good.test/feed\n`, "feeds.yaml:11:5: unknown key 'feeds' (did you mean 'feed'?)"],
    ['a camelCase key', `    pollMinutes: 30\n`, "feeds.yaml:11:5: unknown key 'pollMinutes' (did you mean 'poll_minutes'?)"],
    ['a feed that is not a URL', `    feed: good.test/feed\n`, "feeds.yaml:11:11: 'feed' must be an absolute http(s) URL, like https://example.org/ (got 'good.test/feed')"],
    ['a bad include pattern', `    include: [ok, "(unclosed"]\n`, "feeds.yaml:11:19: pattern '(unclosed' is not a valid regular expression: Invalid regular expression: /(unclosed/i: Unterminated group"],
    ['include as text, not a list', `    include: engagement\n`, `feeds.yaml:11:14: 'include' must be a list of patterns, like ["patient engagement"], but it is the text "engagement"`],
    ['a non-text pattern', `    exclude:\n      - sponsored\n      - 42\n`, "feeds.yaml:13:9: each 'exclude' pattern must be text, but it is the number 42 (put it in quotes to use it as text)"],
    ['max_entries of zero', `    max_entries: 0\n`, "feeds.yaml:11:18: 'max_entries' must be a whole number above 0 (got 0)"],
    ['poll_minutes as text', `    poll_minutes: "30"\n`, `feeds.yaml:11:19: 'poll_minutes' must be a whole number, but it is the text "30"`],
    ['an empty pattern', `    exclude: [""]\n`, "feeds.yaml:11:15: each 'exclude' pattern is empty"],
    ['a fractional max_entries', `    max_entries: 2.5\n`, "feeds.yaml:11:18: 'max_entries' must be a whole number above 0 (got 2.5)"],
  ])('%s', (_name, extraLines, expected) => {
    expect(issuesOf(withSources(GOOD_SOURCE + extraLines))).toEqual([expected]);
  });

  it('reports a bad id, title, site, description and category at each value', () => {
    const text = withSources(`  - id: Not A Slug
    title: 42
    site: ftp://files.test/
    description: ""
    category: Two Words
`);
    expect(issuesOf(text)).toEqual([
      "feeds.yaml:6:9: 'id' must be a slug of lowercase letters, digits and single hyphens, like 'regina-holliday' (got 'Not A Slug')",
      "feeds.yaml:7:12: 'title' must be text, but it is the number 42 (put it in quotes to use it as text)",
      "feeds.yaml:8:11: 'site' must be an absolute http(s) URL, like https://example.org/ (got 'ftp://files.test/')",
      "feeds.yaml:9:18: 'description' is empty",
      "feeds.yaml:10:15: 'category' must be one lowercase word (a-z, 0-9, '-'), like 'advocacy' (got 'Two Words')",
    ]);
  });

  it('reports a missing key at the source and an empty value at its key', () => {
    const text = withSources(`  - id: lacking
    title:
    site: https://lacking.test/
    category: advocacy
`);
    expect(issuesOf(text)).toEqual([
      "feeds.yaml:6:5: missing required key 'description'",
      "feeds.yaml:7:5: 'title' has no value: expected text",
    ]);
  });

  it('reports a duplicate id at the second source, naming the line of the first', () => {
    const text = withSources(GOOD_SOURCE + GOOD_SOURCE.replace('title: Good', 'title: Again'));
    expect(issuesOf(text)).toEqual(["feeds.yaml:11:5: duplicate id 'good': the source at line 6 already uses it"]);
  });

  it('checks the site block: url, time zone, max_entries and unknown keys', () => {
    const text = `site:
  title: Test Portal
  tagline: A portal for tests.
  url: /relative/
  timezone: Mars/Olympus
  max_entries: -5
  per_source_on_home: 0
  colour: blue
sources: []
`;
    expect(issuesOf(text)).toEqual([
      "feeds.yaml:4:8: 'url' must be an absolute http(s) URL, like https://example.org/ (got '/relative/')",
      "feeds.yaml:5:13: 'timezone' must be an IANA time zone, like America/Chicago (got 'Mars/Olympus')",
      "feeds.yaml:6:16: 'max_entries' must be a whole number above 0 (got -5)",
      "feeds.yaml:7:23: 'per_source_on_home' must be a whole number above 0 (got 0)",
      "feeds.yaml:8:3: unknown key 'colour' (known keys: title, tagline, url, timezone, max_entries, per_source_on_home, contributors)",
    ]);
  });

  it('normalises site.url to end with a slash', () => {
    const result = parseFeedsText(SITE.replace('https://portal.test/', 'https://portal.test/engage') + 'sources: []\n', 'f');
    expect(result.ok && result.config.site.url).toBe('https://portal.test/engage/');
  });

  it("requires 'sources' to be a list", () => {
    expect(issuesOf(`${SITE}sources:\n`)).toEqual([
      "feeds.yaml:5:1: 'sources' has no value: expected a list of sources, each starting with '- id:' (write 'sources: []' for none)",
    ]);
    expect(issuesOf(`${SITE}sources:\n  id: x\n`)[0]).toMatch(/^feeds\.yaml:6:3: 'sources' must be a list of sources/);
  });

  it('reports missing top-level blocks and unknown top-level keys', () => {
    expect(issuesOf('feeds: []\n')).toEqual([
      "feeds.yaml:1:1: missing required key 'site'",
      "feeds.yaml:1:1: missing required key 'sources'",
      "feeds.yaml:1:1: unknown key 'feeds' (known keys: site, sources)",
    ]);
  });

  it('rejects a file that is not a block of keys', () => {
    expect(issuesOf('- just\n- a list\n')).toEqual([
      "feeds.yaml:1:1: the feeds file must be a block of keys with 'site:' and 'sources:', but it is a list",
    ]);
  });
});

describe('parseFeedsText: many issues at once', () => {
  it('reports every issue, sorted by line, and loads nothing', () => {
    const text = withSources(`  - id: b-source
    title: B
    site: nowhere
    description: B.
    category: advocacy
    tags: [x]
  - id: a-source
    title: A
    site: https://a.test/
    category: advocacy
`).replace('tagline: A portal for tests.', 'tagline: 7');
    const result = parseFeedsText(text, 'feeds.yaml');
    expect(result).toEqual({ ok: false, issues: expect.any(Array) });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      "feeds.yaml:3:12: 'tagline' must be text, but it is the number 7 (put it in quotes to use it as text)",
      "feeds.yaml:8:11: 'site' must be an absolute http(s) URL, like https://example.org/ (got 'nowhere')",
      "feeds.yaml:11:5: unknown key 'tags' (known keys: id, title, site, feed, description, category, include, exclude, max_entries, poll_minutes)",
      "feeds.yaml:12:5: missing required key 'description'",
    ]);
  });
});

describe('parseFeedsText: YAML syntax', () => {
  it('reports every syntax error as FILE:LINE:COL', () => {
    expect(issuesOf(`${SITE}sources: [\n  - id: x\n`)).toEqual([
      'feeds.yaml:6:3: YAML syntax error: Block collections are not allowed within flow collections',
      'feeds.yaml:7:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports a duplicate key at the second one', () => {
    expect(issuesOf(`${SITE}  title: Again\nsources: []\n`)).toEqual([
      "feeds.yaml:5:3: duplicate key 'title': each key may appear only once in a block",
    ]);
  });

  it('reports a tab in the indentation once, at the tab, and nothing that follows from it', () => {
    expect(issuesOf(`${SITE}sources:\n\t- id: x\n`)).toEqual([
      'feeds.yaml:6:1: a tab in the indentation: YAML indents with spaces only, so replace the tab with spaces',
    ]);
    // One tab before a key used to give fifteen messages, a false duplicate key among them.
    const tabbed = withSources(GOOD_SOURCE.replace('    site:', '\t  site:') + GOOD_SOURCE.replace('id: good', 'id: other'));
    expect(issuesOf(tabbed)).toEqual([
      'feeds.yaml:8:1: a tab in the indentation: YAML indents with spaces only, so replace the tab with spaces',
    ]);
  });

  it('keeps a tab inside a value: only indentation must be spaces', () => {
    expect(parseFeedsText(withSources(GOOD_SOURCE.replace('title: Good', 'title: Good\tand kind')), 'feeds.yaml').ok).toBe(true);
  });

  it('reports an over-indented key on its own line, saying where it should start', () => {
    const text = withSources(GOOD_SOURCE.replace('    title: Good', '      title: Good'));
    expect(issuesOf(text)).toEqual([
      "feeds.yaml:7:7: 'title' is indented more than 'id' on line 6: keys of one block line up, so start it at column 5",
    ]);
  });

  it('says to quote a value that holds ": ", showing the quoted value', () => {
    const text = withSources(GOOD_SOURCE.replace('description: A good source.', 'description: Note: this blog moved.'));
    expect(issuesOf(text)).toEqual([
      `feeds.yaml:9:18: the value of 'description' holds ': ', which YAML reads as another key: put the whole value in double quotes, like description: "Note: this blog moved."`,
    ]);
  });

  it('reports an alias to an unknown anchor', () => {
    expect(issuesOf(`${SITE}sources: *nowhere\n`)[0]).toMatch(/^feeds\.yaml:1:1: YAML error: .*nowhere/);
  });
});

describe('parseFeedsText: an empty file', () => {
  it.each([[''], ['# only a comment\n'], ['\n\n']])('reports %j as empty at 1:1', (text) => {
    expect(issuesOf(text)).toEqual([
      "feeds.yaml:1:1: the feeds file is empty: it needs a 'site:' block and a 'sources:' list",
    ]);
  });
});

describe('loadFeedsFile', () => {
  it('loads a valid file', async () => {
    const result = await loadFeedsFile(fixture('valid.yaml'));
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(result.config.site).toEqual({
      title: 'Test Portal',
      tagline: 'A portal for tests.',
      url: 'https://portal.test/engage/',
      timezone: 'America/Chicago',
      maxEntries: 50,
      perSourceOnHome: 3,
    });
    expect(result.config.sources.map((s) => s.id)).toEqual(['first-blog', 'second-blog', 'link-only']);
    expect(result.config.sources[0]).toMatchObject({
      include: ['patient engagement', 'e-?patients?'],
      exclude: ['sponsored'],
      maxEntries: 20,
      pollMinutes: 60,
    });
    expect(result.config.sources[1]).toMatchObject({ title: 'Second Blog', description: 'The second blog, written over two lines.' });
    expect(result.config.sources[2]).not.toHaveProperty('feed');
  });

  it('reports issues against the path it was given', async () => {
    const file = fixture('invalid.yaml');
    const result = await loadFeedsFile(file);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      `${file}:9:5: unknown key 'feeds' (did you mean 'feed'?)`,
      `${file}:12:5: duplicate id 'first-blog': the source at line 6 already uses it`,
      `${file}:14:11: 'site' must be an absolute http(s) URL, like https://example.org/ (got 'first.test')`,
    ]);
  });

  it('reports a YAML syntax error in a file', async () => {
    const file = fixture('syntax-error.yaml');
    const result = await loadFeedsFile(file);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([`${file}:4:1: YAML syntax error: Missing closing "quote`]);
  });

  it('reports an empty file at 1:1', async () => {
    const file = fixture('empty.yaml');
    const result = await loadFeedsFile(file);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      `${file}:1:1: the feeds file is empty: it needs a 'site:' block and a 'sources:' list`,
    ]);
  });

  it('reports a missing file at 1:1', async () => {
    const file = fixture('no-such-file.yaml');
    expect(await loadFeedsFile(file)).toEqual({
      ok: false,
      issues: [{ file, line: 1, col: 1, message: 'cannot read the feeds file: no such file (set FEEDS_FILE to its path)' }],
    });
  });

  it('reports a folder at 1:1', async () => {
    const folder = fixture('');
    const result = await loadFeedsFile(folder);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      `${folder}:1:1: cannot read the feeds file: it is a folder, not a file`,
    ]);
  });
});

describe('parseFeedsText: contributors', () => {
  const withContributors = (block: string) => `${SITE}  contributors:\n${block}sources:\n${GOOD_SOURCE}`;

  it('reads names, optional roles and http(s) addresses, in order', () => {
    const result = parseFeedsText(
      withContributors('    - name: Ingrid Solberg\n      role: Nurse informaticist\n      url: https://example.org/ingrid\n    - name: " Ola Berg "\n'),
      'feeds.yaml',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.site.contributors).toEqual([
      { name: 'Ingrid Solberg', role: 'Nurse informaticist', url: 'https://example.org/ingrid' },
      { name: 'Ola Berg' },
    ]);
  });

  it('leaves contributors out when the file names none', () => {
    const result = parseFeedsText(withSources(GOOD_SOURCE), 'feeds.yaml');
    expect(result.ok && result.config.site).not.toHaveProperty('contributors');
  });

  it('reports a bad address, a missing name, an unknown key and a non-list at FILE:LINE:COL', () => {
    expect(issuesOf(withContributors('    - name: A\n      url: javascript:alert(1)\n    - role: Editor\n    - name: B\n      email: b@example.org\n'))).toEqual([
      "feeds.yaml:7:12: 'url' must be an absolute http(s) URL, like https://example.org/ (got 'javascript:alert(1)')",
      "feeds.yaml:8:7: missing required key 'name'",
      "feeds.yaml:10:7: unknown key 'email' (known keys: name, role, url)",
    ]);
    expect(issuesOf(withContributors('    Ingrid Solberg\n'))[0]).toMatch(/^feeds\.yaml:6:5: 'contributors' must be a list of people, each starting with '- name:', but it is the text/);
  });
});
