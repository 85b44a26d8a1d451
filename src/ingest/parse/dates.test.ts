// parseFeedDate: the date forms feeds write, and what it refuses.
import { describe, expect, it } from 'vitest';
import { parseFeedDate } from './dates.js';

describe('parseFeedDate', () => {
  const readable: Array<[string, number]> = [
    // RFC 822 / 2822 (RSS)
    ['Sat, 07 Sep 2002 00:00:01 GMT', Date.UTC(2002, 8, 7, 0, 0, 1)],
    ['Sat, 7 Sep 2002 00:00:01 +0000', Date.UTC(2002, 8, 7, 0, 0, 1)],
    ['Tue, 05 Mar 2024 14:00:00 -0600', Date.UTC(2024, 2, 5, 20, 0)],
    ['05 Mar 2024 14:00 EST', Date.UTC(2024, 2, 5, 19, 0)],
    ['Tue, 05 Mar 2024 14:00:00 PDT', Date.UTC(2024, 2, 5, 21, 0)],
    ['Tue, 05 Mar 24 14:00:00 UT', Date.UTC(2024, 2, 5, 14, 0)],
    ['Thu, 01 January 2004 19:48:21 GMT', Date.UTC(2004, 0, 1, 19, 48, 21)],
    ['Tue, 05 Mar 2024', Date.UTC(2024, 2, 5)],
    ['Tue, 05 Mar 2024 14:00:00 +05:30', Date.UTC(2024, 2, 5, 8, 30)],
    // W3C-DTF / ISO 8601 (Atom, Dublin Core)
    ['2003-12-31T10:14:55Z', Date.UTC(2003, 11, 31, 10, 14, 55)],
    ['2003-12-31T10:14:55.250-08:00', Date.UTC(2003, 11, 31, 18, 14, 55, 250)],
    ['2003-12-31T10:14Z', Date.UTC(2003, 11, 31, 10, 14)],
    ['2003-12-31T10:14:55', Date.UTC(2003, 11, 31, 10, 14, 55)], // no zone: UTC, never the host's
    ['2003-12-31 10:14:55 +0100', Date.UTC(2003, 11, 31, 9, 14, 55)],
    ['2003-12-31', Date.UTC(2003, 11, 31)],
    ['2003-12', Date.UTC(2003, 11, 1)],
    ['2003', Date.UTC(2003, 0, 1)],
    ['20031231T101455Z', Date.UTC(2003, 11, 31, 10, 14, 55)],
    ['  2003-12-31T10:14:55Z \n', Date.UTC(2003, 11, 31, 10, 14, 55)],
    // What Date.parse understands beyond those
    ['Wed Dec 31 2003 10:14:55 GMT+0000', Date.UTC(2003, 11, 31, 10, 14, 55)],
    ['December 31, 2003', Date.UTC(2003, 11, 31)],
  ];
  it.each(readable)('reads %j', (text, expected) => {
    expect(parseFeedDate(text)).toBe(expected);
  });

  const unreadable = [
    undefined, '', '   ', 'sometime last week', 'not a date', '2003-02-30', '2003-13-01', '2003-12-31T25:00:00Z',
    'Sat, 31 Foo 2002 00:00:00 GMT', '0000-00-00 00:00:00', '1066-10-14', '10000-01-01', '2003-12-31T10:14:55 XYZ',
  ];
  it.each(unreadable)('refuses %j', (text) => {
    expect(parseFeedDate(text)).toBeUndefined();
  });
});
