import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from './index.js';
import { keepSanitizerOptimized, keptSanitizerParser } from './keep-optimized.js';

/** htmlparser2's Parser class as sanitize-html requires it (the CommonJS build). */
function sanitizeHtmlsParserClass(): { prototype: { end: unknown } } {
  const requireFromSanitizeHtml = createRequire(createRequire(import.meta.url).resolve('sanitize-html'));
  return (requireFromSanitizeHtml('htmlparser2') as { Parser: { prototype: { end: unknown } } }).Parser;
}

describe('keepSanitizerOptimized', () => {
  it('keeps the parser sanitize-html used last alive, and only that one', () => {
    const Parser = sanitizeHtmlsParserClass();
    expect(sanitizeHtml('<p>first <b>entry</b></p>', 'https://a.example/')).toBe('<p>first <b>entry</b></p>');
    const first = keptSanitizerParser();
    expect(first).toBeInstanceOf(Parser);
    expect(sanitizeHtml('<p>second</p>', 'https://a.example/')).toBe('<p>second</p>');
    const second = keptSanitizerParser();
    expect(second).toBeInstanceOf(Parser);
    expect(second).not.toBe(first);
  });

  it('wraps the parser once however often it is installed', () => {
    const Parser = sanitizeHtmlsParserClass();
    keepSanitizerOptimized();
    const wrapped = Parser.prototype.end;
    keepSanitizerOptimized();
    expect(Parser.prototype.end).toBe(wrapped);
    expect((wrapped as { name: string }).name).toBe('endAndKeep');
  });
});
