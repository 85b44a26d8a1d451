import { describe, expect, it } from 'vitest';
import { cleanOptional, cleanXmlText } from './xml-text.js';

describe('cleanXmlText', () => {
  it('keeps ordinary text, markup characters, tab, LF, CR, C1 controls and emoji', () => {
    const text = 'AT&T <b> ]]> "q" \'a\'\t\n\r\u0085 \u{1F600} Ünï';
    expect(cleanXmlText(text)).toBe(text);
  });

  it('drops C0 controls, U+FFFE and U+FFFF', () => {
    expect(cleanXmlText('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\uFFFEh\uFFFFi')).toBe('abcdefghi');
  });

  it('drops lone surrogates but keeps pairs', () => {
    expect(cleanXmlText('x\uD800y')).toBe('xy');
    expect(cleanXmlText('x\uDC00y')).toBe('xy');
    expect(cleanXmlText('\uDC00\uD800')).toBe('');
    expect(cleanXmlText('end\uD83D')).toBe('end');
    expect(cleanXmlText('\uD83D\uDE00')).toBe('\u{1F600}');
  });

  it('leaves absent values absent', () => {
    expect(cleanOptional(null)).toBeUndefined();
    expect(cleanOptional(undefined)).toBeUndefined();
    expect(cleanOptional('a\u0002')).toBe('a');
  });
});
