import { describe, expect, it } from 'vitest';
import { errorWords, shownErrorKind } from './error-words.js';

describe('shownErrorKind', () => {
  it('passes a kind this version knows, and says unknown for any other stored word or a failure without one', () => {
    expect(shownErrorKind('timeout', true)).toBe('timeout');
    expect(shownErrorKind('blocked', true)).toBe('blocked');
    expect(shownErrorKind('<script>', true)).toBe('unknown');
    expect(shownErrorKind('toString', true)).toBe('unknown');
    expect(shownErrorKind(null, true)).toBe('unknown');
    expect(shownErrorKind(null, false)).toBeNull();
  });
});

describe('errorWords', () => {
  it('names an HTTP failure by its status, and every other kind in a few fixed words', () => {
    expect(errorWords('http', 503)).toBe('HTTP 503');
    expect(errorWords('http', null)).toBe('HTTP error');
    expect(errorWords('timeout', null)).toBe('Timed out');
    expect(errorWords('too-large', 200)).toBe('Too large');
    expect(errorWords('too-complex', 200)).toBe('Too complex to read');
    expect(errorWords('unknown', 500)).toBe('Failed');
  });
});
