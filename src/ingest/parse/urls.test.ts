// URL resolution: relative references, xml:base chains, and only http(s) out.
import { describe, expect, it } from 'vitest';
import { absoluteHttpUrl, resolveBaseChain } from './urls.js';

describe('absoluteHttpUrl', () => {
  it('resolves relative references against the base', () => {
    expect(absoluteHttpUrl('../b?x=1#f', 'http://a.example/dir/sub/')).toBe('http://a.example/dir/b?x=1#f');
    expect(absoluteHttpUrl(' /trimmed ', 'https://a.example/x/')).toBe('https://a.example/trimmed');
    expect(absoluteHttpUrl('//cdn.example/x', 'https://a.example/')).toBe('https://cdn.example/x');
  });

  it('keeps absolute http(s) URLs even when the base is unusable', () => {
    expect(absoluteHttpUrl('http://a.example/x', 'not a url')).toBe('http://a.example/x');
  });

  it('refuses other schemes and what does not parse', () => {
    for (const ref of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'mailto:a@b.example', 'ftp://a.example/', 'http://']) {
      expect(absoluteHttpUrl(ref, 'http://a.example/')).toBeUndefined();
    }
    expect(absoluteHttpUrl('relative', 'not a url')).toBeUndefined();
    expect(absoluteHttpUrl(undefined, 'http://a.example/')).toBeUndefined();
  });

  it('percent-encodes non-ASCII paths and punycodes IRI hosts', () => {
    expect(absoluteHttpUrl('\u00c0', 'http://any.test/')).toBe('http://any.test/%C3%80');
    expect(absoluteHttpUrl('', 'http://www.\u8a79\u59c6\u65af.com/feed')).toBe('http://www.xn--8ws00zhy3a.com/feed');
  });
});

describe('resolveBaseChain', () => {
  it('resolves each xml:base against the one before, from the document URL', () => {
    expect(resolveBaseChain('http://example.com/', ['feed/', 'entry/', 'title/'], 'http://fallback/')).toBe('http://example.com/feed/entry/title/');
    expect(resolveBaseChain('http://example.com/', ['feed/base/', '/entry/base/', '../'], 'http://fallback/')).toBe('http://example.com/entry/');
  });

  it('skips bases that are not http(s), and uses the fallback when nothing applies', () => {
    expect(resolveBaseChain('http://doc/', ['http://example.com/', "javascript:alert('unsafe')"], 'http://fallback/')).toBe('http://example.com/');
    expect(resolveBaseChain('http://doc/', ["javascript:alert('unsafe')"], 'http://fallback/')).toBe('http://fallback/');
    expect(resolveBaseChain('http://doc/', [], 'http://fallback/')).toBe('http://fallback/');
  });

  it('reads a base with too many slashes after the scheme as browsers do', () => {
    expect(resolveBaseChain('http://doc/', ['http://example.com/', 'http:///example.com/test/'], 'http://fallback/')).toBe('http://example.com/test/');
  });
});
