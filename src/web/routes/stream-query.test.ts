import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../core/cursor.js';
import { HttpError } from '../errors.js';
import { parseStreamFilter, streamQueryString } from './stream-query.js';

const position = { publishedAt: 1_780_000_000_000, id: 42 };

describe('parseStreamFilter', () => {
  it('decodes cursors and drops empty parameters', () => {
    expect(parseStreamFilter({ source: '', category: ' ', before: encodeCursor(position) })).toEqual({ before: position });
    expect(parseStreamFilter({ source: 'himss', category: 'policy', after: encodeCursor(position) })).toEqual({
      source: 'himss',
      category: 'policy',
      after: position,
    });
  });

  it('refuses a cursor this portal did not make, and both directions at once, with a 400', () => {
    const refused = (query: Parameters<typeof parseStreamFilter>[0]) => {
      try {
        parseStreamFilter(query);
      } catch (error) {
        return error instanceof HttpError ? error.statusCode : 'other';
      }
      return 'accepted';
    };
    expect(refused({ before: 'bm9wZQ' })).toBe(400);
    expect(refused({ after: '%%%' })).toBe(400);
    expect(refused({ before: encodeCursor(position), after: encodeCursor(position) })).toBe(400);
  });
});

describe('streamQueryString', () => {
  it('writes parameters in one fixed order, so equal filters make equal cache keys and links', () => {
    const cursor = encodeCursor(position);
    expect(streamQueryString({ before: position, category: 'a b', source: 'himss' })).toBe(`?source=himss&category=a+b&before=${cursor}`);
    expect(streamQueryString({})).toBe('');
  });
});
