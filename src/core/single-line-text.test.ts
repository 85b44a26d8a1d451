import { describe, expect, it } from 'vitest';
import { stripBidiControlsAndNoncharacters } from './single-line-text.js';

const BIDI_CONTROLS = ['\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];

function planeEnds(): string[] {
  const ends: string[] = [];
  for (let plane = 0; plane <= 16; plane += 1) ends.push(String.fromCodePoint(plane * 0x10000 + 0xfffe), String.fromCodePoint(plane * 0x10000 + 0xffff));
  return ends;
}

describe('stripBidiControlsAndNoncharacters', () => {
  it('drops every bidi control, U+FDD0-U+FDEF and the last two code points of all 17 planes', () => {
    const arabicBlock = Array.from({ length: 32 }, (_, i) => String.fromCodePoint(0xfdd0 + i));
    const all = [...BIDI_CONTROLS, ...arabicBlock, ...planeEnds()];
    expect(all).toHaveLength(12 + 32 + 34);
    expect(stripBidiControlsAndNoncharacters(`a${all.join('')}b`)).toBe('ab');
  });

  it('keeps the characters beside them: joiners, emoji, RTL letters, the code points around the ranges', () => {
    const kept = 'שלום مرحبا \u200C\u200D \u{1F469}\u200D\u2695\uFE0F \uFDCF\uFDF0 \uFFFD \u{1FFFD} \u{E0001}';
    expect(stripBidiControlsAndNoncharacters(kept)).toBe(kept);
  });

  it('leaves an unpaired surrogate alone (the XML writers drop those)', () => {
    expect(stripBidiControlsAndNoncharacters('a\uD83Fb')).toBe('a\uD83Fb');
  });
});
