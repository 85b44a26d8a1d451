import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const now = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an IMF-fixdate relative to now', () => {
    expect(parseRetryAfter('Wed, 15 Jan 2025 12:01:30 GMT', now)).toBe(90_000);
  });

  it('reads the obsolete RFC 850 and asctime date forms', () => {
    expect(parseRetryAfter('Wednesday, 15-Jan-25 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed Jan 15 12:00:05 2025', now)).toBe(5_000);
  });

  it('gives 0 for a date already past', () => {
    expect(parseRetryAfter('Tue, 14 Jan 2025 12:00:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined, '', 'soon', '-5', '1.5', '12abc', 'Wed, 15 Jan 2025', 'Wed, 99 Foo 2025 12:00:00 GMT', '2025-01-15T12:00:00Z'])(
    'ignores %s',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('ignores a number of seconds too large to represent', () => {
    expect(parseRetryAfter('9'.repeat(30), now)).toBeUndefined();
  });
});
