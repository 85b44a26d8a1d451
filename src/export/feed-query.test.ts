import { describe, expect, it } from 'vitest';
import { canonicalQuery, describeFeed, parseFeedQuery, type FeedFilter, type KnownSource } from './feed-query.js';

const SOURCES: KnownSource[] = [
  { id: 'e-patient-dave', title: "e-Patient Dave's Blog", description: 'Let patients help!', category: 'advocacy' },
  { id: 'himss', title: 'HIMSS', description: '', category: 'policy' },
];
const SITE = { title: 'Patient Engagement for Care Teams', tagline: 'Advancing health IT.', url: 'https://portal.example.org/' };

function accepted(query: string): FeedFilter {
  const result = parseFeedQuery(query, SOURCES);
  if (!result.ok) throw new Error(result.message);
  return result.filter;
}

function refused(query: string): string {
  const result = parseFeedQuery(query, SOURCES);
  if (result.ok) throw new Error(`accepted ${query}`);
  return result.message;
}

describe('parseFeedQuery', () => {
  it('defaults to 50 items of the whole stream', () => {
    expect(accepted('')).toEqual({ limit: 50, limitGiven: false });
  });

  it('takes one source, one category and a limit from 1 to 200', () => {
    expect(accepted('source=himss&category=policy&limit=200')).toEqual({ sourceId: 'himss', category: 'policy', limit: 200, limitGiven: true });
    expect(accepted('limit=1').limit).toBe(1);
  });

  it('refuses limits that are not whole numbers from 1 to 200', () => {
    for (const limit of ['0', '201', '-1', '1.5', 'abc', '', '1e2', '+5', '99999']) {
      expect(refused(`limit=${encodeURIComponent(limit)}`)).toMatch(/^feeds: limit must be a whole number from 1 to 200/);
    }
  });

  it('refuses unknown sources, categories and parameters, and repeated parameters', () => {
    expect(refused('source=nobody')).toBe('feeds: unknown source "nobody"; see /opml.xml for the sources');
    expect(refused('category=sports')).toBe('feeds: no source has category "sports"; the categories are: advocacy, policy');
    expect(refused('page=2')).toBe('feeds: unknown parameter "page"; the feeds take source, category and limit');
    expect(refused('source=himss&source=e-patient-dave')).toBe('feeds: parameter "source" given 2 times; give it at most once');
    expect(refused('limit=5&limit=5')).toMatch(/given 2 times/);
  });
});

describe('canonicalQuery', () => {
  it('orders the parameters and leaves the default limit out of links but in cache keys', () => {
    const filter: FeedFilter = { category: 'policy', sourceId: 'himss', limit: 50, limitGiven: true };
    expect(canonicalQuery(filter, { withLimit: 'when-not-default' })).toBe('?source=himss&category=policy');
    expect(canonicalQuery(filter, { withLimit: 'always' })).toBe('?source=himss&category=policy&limit=50');
    expect(canonicalQuery({ limit: 50, limitGiven: false }, { withLimit: 'when-not-default' })).toBe('');
    expect(canonicalQuery({ category: 'a b&c', limit: 10, limitGiven: true }, { withLimit: 'when-not-default' })).toBe('?category=a+b%26c&limit=10');
  });
});

describe('describeFeed', () => {
  it('describes the whole stream with the site title and tagline', () => {
    expect(describeFeed('rss', accepted(''), SITE)).toEqual({
      id: 'tag:portal.example.org,2026:stream',
      title: 'Patient Engagement for Care Teams',
      description: 'Advancing health IT.',
      selfUrl: 'https://portal.example.org/feed.xml',
      alternateUrl: 'https://portal.example.org/conversations',
    });
  });

  it('reflects a source filter in the title, description and links', () => {
    const filter = accepted('source=e-patient-dave&limit=10');
    expect(describeFeed('atom', filter, SITE, SOURCES[0])).toEqual({
      id: 'tag:portal.example.org,2026:stream/source/e-patient-dave',
      title: "Patient Engagement for Care Teams — e-Patient Dave's Blog",
      description: 'Let patients help!',
      selfUrl: 'https://portal.example.org/atom.xml?source=e-patient-dave&limit=10',
      alternateUrl: 'https://portal.example.org/conversations?source=e-patient-dave',
    });
  });

  it('reflects a category filter, and falls back to the tagline for a source without a description', () => {
    const byCategory = describeFeed('json', accepted('category=policy'), SITE);
    expect(byCategory.title).toBe('Patient Engagement for Care Teams — policy');
    expect(byCategory.selfUrl).toBe('https://portal.example.org/feed.json?category=policy');
    expect(byCategory.alternateUrl).toBe('https://portal.example.org/conversations?category=policy');
    expect(describeFeed('rss', accepted('source=himss'), SITE, SOURCES[1]).description).toBe('Advancing health IT.');
  });
});
