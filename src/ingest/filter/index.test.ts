import { describe, expect, it } from 'vitest';
import type { NormalEntry } from '../../core/types.js';
import { compileFilter } from './index.js';

function entry(fields: Partial<NormalEntry>): NormalEntry {
  return {
    entryId: 'id', title: '', link: '', publishedAt: 0, categories: [], enclosures: [],
    contentHtml: '', contentText: '', excerpt: '', ...fields,
  };
}

const engagement = entry({ title: 'Patient Engagement in Minnesota', contentText: 'Care teams and families.' });
const sponsored = entry({ title: 'A word from our sponsor', contentText: 'Sponsored: buy now.' });
const tagged = entry({ title: 'Weekly notes', contentText: 'Nothing much.', categories: ['Patient-Engagement'] });
const unrelated = entry({ title: 'Cooking', contentText: 'Bread and butter.' });

describe('compileFilter', () => {
  it('keeps everything when there are no rules', () => {
    const keep = compileFilter({});
    expect([engagement, sponsored, unrelated].every(keep)).toBe(true);
    expect(compileFilter({ include: [], exclude: [] })(unrelated)).toBe(true);
  });

  it('include keeps only entries matching one pattern, case-insensitively, in title or text', () => {
    const keep = compileFilter({ include: ['patient engagement', 'BREAD'] });
    expect(keep(engagement)).toBe(true); // title, different case
    expect(keep(unrelated)).toBe(true); // content text
    expect(keep(sponsored)).toBe(false);
  });

  it('include also looks at categories', () => {
    expect(compileFilter({ include: ['patient-engagement'] })(tagged)).toBe(true);
  });

  it('exclude drops entries matching any pattern', () => {
    const keep = compileFilter({ exclude: ['sponsor(ed)?\\b'] });
    expect(keep(sponsored)).toBe(false);
    expect(keep(engagement)).toBe(true);
  });

  it('exclude wins over include', () => {
    const keep = compileFilter({ include: ['.'], exclude: ['cooking'] });
    expect(keep(unrelated)).toBe(false);
    expect(keep(engagement)).toBe(true);
  });

  it('patterns are regular expressions, anchors and classes included', () => {
    const keep = compileFilter({ include: ['^patient\\s+engagement'] });
    expect(keep(engagement)).toBe(true);
    expect(keep(entry({ title: 'On patient engagement' }))).toBe(false);
  });

  it('an invalid pattern fails with a filter: message', () => {
    expect(() => compileFilter({ exclude: ['(unclosed'] })).toThrow(/^filter: invalid exclude pattern "\(unclosed"/);
  });
});
