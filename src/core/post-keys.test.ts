import { describe, expect, it } from 'vitest';
import { linkKey, normalizeLink, normalizeTitle, titleKey } from './post-keys.js';

describe('normalizeLink', () => {
  it.each([
    ['HTTPS://Example.ORG/posts/1/', 'https://example.org/posts/1'],
    ['https://example.org:443/posts/1', 'https://example.org/posts/1'],
    ['http://example.org:80/posts/1', 'http://example.org/posts/1'],
    ['https://example.org/posts/1#comments', 'https://example.org/posts/1'],
    ['https://example.org/posts/1/?utm_source=feed&utm_medium=rss&UTM_Campaign=x', 'https://example.org/posts/1'],
    ['https://example.org/posts/1?p=2&utm_source=feed', 'https://example.org/posts/1?p=2'],
    ['https://example.org/', 'https://example.org'],
  ])('%s → %s', (link, normal) => {
    expect(normalizeLink(link)).toBe(normal);
  });

  it('keeps what tells posts apart: the path case, other parameters, another port, the scheme', () => {
    expect(normalizeLink('https://example.org/Posts/1')).not.toBe(normalizeLink('https://example.org/posts/1'));
    expect(normalizeLink('https://example.org/?p=1')).not.toBe(normalizeLink('https://example.org/?p=2'));
    expect(normalizeLink('https://example.org:8443/a')).not.toBe(normalizeLink('https://example.org/a'));
  });

  it('gives nothing for no link, a relative one or another scheme', () => {
    expect(normalizeLink('')).toBe('');
    expect(normalizeLink('/posts/1')).toBe('');
    expect(normalizeLink('mailto:someone@example.org')).toBe('');
    expect(linkKey('')).toBeNull();
  });
});

describe('normalizeTitle', () => {
  it('folds case, whitespace and punctuation', () => {
    expect(normalizeTitle('  Patients,   Partners — and  PROVIDERS! ')).toBe('patients partners and providers');
    expect(titleKey('Patients, partners and providers')).toBe(titleKey('PATIENTS: Partners & Providers?'.replace('&', 'and')));
  });

  it('gives no key to a title without a word', () => {
    expect(titleKey('')).toBeNull();
    expect(titleKey(' — ! ')).toBeNull();
  });
});
