import { describe, it, expect } from 'vitest';
import { UsageError } from './command.js';
import {
  CategoryVocabulary,
  categoryOption,
  cleanText,
  hostSlug,
  shortDescription,
  slugify,
  uniqueId,
  urlFromArgument,
  ID_PATTERN,
} from './new-source.js';

describe('slugify', () => {
  it('makes an id the feeds file accepts', () => {
    expect(slugify("Regina Holliday's Medical Advocacy Blog")).toBe('regina-hollidays-medical-advocacy-blog');
    expect(slugify('  Ünïcödé — Café & Co.  ')).toBe('unicode-cafe-co');
    expect(slugify('e-Patients Blog (Society for Participatory Medicine)')).toBe('e-patients-blog-society-for');
    expect(slugify('日本語')).toBe('');
    for (const text of ['A very long title that keeps going well past forty characters', '---x---', 'a--b']) {
      expect(slugify(text)).toMatch(ID_PATTERN);
      expect(slugify(text).length).toBeLessThanOrEqual(40);
    }
  });

  it('slugs a host without www', () => {
    expect(hostSlug('https://www.epatientdave.com/feed/')).toBe('epatientdave-com');
    expect(hostSlug('http://127.0.0.1:8080/x')).toBe('127-0-0-1');
    expect(hostSlug('nope')).toBe('');
  });
});

describe('uniqueId', () => {
  it('suffixes -2, -3 on a clash', () => {
    expect(uniqueId('blog', new Set())).toBe('blog');
    expect(uniqueId('blog', new Set(['blog']))).toBe('blog-2');
    expect(uniqueId('blog', new Set(['blog', 'blog-2']))).toBe('blog-3');
  });
});

describe('text helpers', () => {
  it('collapses whitespace and shortens long descriptions at a word', () => {
    expect(cleanText(' a \n\t b ')).toBe('a b');
    expect(cleanText(undefined)).toBe('');
    const long = 'word '.repeat(100);
    const short = shortDescription(long);
    expect(short.length).toBeLessThanOrEqual(301);
    expect(short.endsWith('word…')).toBe(true);
    expect(shortDescription('short one')).toBe('short one');
  });
});

describe('urlFromArgument', () => {
  it('adds https:// to a bare host and refuses what is not http(s)', () => {
    expect(urlFromArgument('example.org/blog')).toBe('https://example.org/blog');
    expect(urlFromArgument('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000/');
    expect(urlFromArgument('https://x.test')).toBe('https://x.test/');
    expect(urlFromArgument('ftp://x.test/feed')).toBeUndefined();
    expect(urlFromArgument('blog')).toBeUndefined();
    expect(urlFromArgument('')).toBeUndefined();
  });
});

describe('categoryOption', () => {
  it('lowercases a word and refuses what is not one', () => {
    expect(categoryOption(' Research ')).toBe('research');
    expect(categoryOption(undefined)).toBeUndefined();
    expect(() => categoryOption('two words')).toThrow(UsageError);
    expect(() => categoryOption('two words')).toThrow("--category must be one lowercase word (a-z, 0-9, '-'), like 'advocacy' (got 'two words')");
  });
});

describe('CategoryVocabulary', () => {
  const filed = (...categories: string[]) => new CategoryVocabulary(categories.map((category) => ({ category })));

  it('lists the categories a file uses, each once, sorted', () => {
    expect(filed('news', 'advocacy', 'news').used).toEqual(['advocacy', 'news']);
    expect(filed('news', 'advocacy', 'research').describe()).toBe("'advocacy', 'news' and 'research'");
    expect(filed('news').describe()).toBe("'news'");
  });

  it('calls a category new only to a file that has categories', () => {
    expect(filed('advocacy').isNew('research')).toBe(true);
    expect(filed('advocacy').isNew('advocacy')).toBe(false);
    expect(filed().isNew('research')).toBe(false);
  });

  it("falls back to 'general' only when the file uses it or has no sources yet", () => {
    expect(filed().fallback).toBe('general');
    expect(filed('general', 'news').fallback).toBe('general');
    expect(filed('advocacy', 'news').fallback).toBeUndefined();
  });

  it('matches a folder to a category by its slug, never inventing one', () => {
    const vocabulary = filed('advocacy', 'research-policy', 'news');
    expect(vocabulary.forFolder('Advocacy')).toBe('advocacy');
    expect(vocabulary.forFolder('  Research & Policy ')).toBe('research-policy');
    expect(vocabulary.forFolder('Patient Advocacy')).toBeUndefined();
    expect(vocabulary.forFolder(undefined)).toBeUndefined();
    expect(vocabulary.forFolder('!!!')).toBeUndefined();
  });

  it('compares a long folder name whole, not cut to an id length', () => {
    const long = 'a'.repeat(30);
    const vocabulary = filed(long);
    expect(vocabulary.forFolder(`${long} ${'b'.repeat(30)}`)).toBeUndefined();
    expect(vocabulary.forFolder(long.toUpperCase())).toBe(long);
  });
});
