import { describe, it, expect } from 'vitest';
import { editDistance, suggestKey } from './suggest.js';

const SOURCE_KEYS = ['id', 'title', 'site', 'feed', 'description', 'category', 'include', 'exclude', 'max_entries', 'poll_minutes'];

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['feed', 'feed', 0],
    ['feeds', 'feed', 1],
    ['titel', 'title', 2],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s -> %s is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});

describe('suggestKey', () => {
  it.each([
    ['feeds', 'feed'],
    ['descripton', 'description'],
    ['titel', 'title'],
    ['maxEntries', 'max_entries'],
    ['poll-minutes', 'poll_minutes'],
    ['Category', 'category'],
  ])('suggests %s -> %s', (key, expected) => {
    expect(suggestKey(key, SOURCE_KEYS)).toBe(expected);
  });

  it('suggests nothing for a key unlike any known one', () => {
    expect(suggestKey('colour', SOURCE_KEYS)).toBeUndefined();
    expect(suggestKey('x', SOURCE_KEYS)).toBeUndefined();
  });
});
