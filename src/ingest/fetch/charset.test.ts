import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFeedBody, detectFeedEncoding } from './charset.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (name: string) => readFileSync(path.join(repoRoot, 'test/fixtures/fetch', name));
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('decodeFeedBody', () => {
  it('decodes ISO-8859-1 named in the XML declaration', () => {
    expect(decodeFeedBody(fixture('iso-8859-1-declared.xml'))).toContain('<title>Café de la Santé</title>');
  });

  it('decodes windows-1252 curly quotes and the euro sign', () => {
    const text = decodeFeedBody(fixture('windows-1252-declared.xml'), 'application/rss+xml');
    expect(text).toContain('<title>\u201cCare teams\u201d cost \u20ac5 at the café</title>');
  });

  it('decodes a header charset of iso-8859-1 as the web does (windows-1252 for 0x80-0x9f)', () => {
    const body = bytes('<rss><title>', [0x93], 'caf', [0xe9], [0x94], '</title></rss>');
    expect(decodeFeedBody(body, 'text/xml; charset=ISO-8859-1')).toBe('<rss><title>\u201ccafé\u201d</title></rss>');
  });

  it('decodes UTF-16 LE with a BOM and strips the BOM', () => {
    const text = decodeFeedBody(fixture('utf-16le-bom.xml'));
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-16"?>')).toBe(true);
    expect(text).toContain('<title>Gesundheitsbüro \u2014 \u60a3\u8005</title>');
  });

  it('decodes UTF-16 BE with a BOM', () => {
    const le = Buffer.from('<rss>é</rss>', 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(decodeFeedBody(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe('<rss>é</rss>');
  });

  it('strips a UTF-8 BOM even when the header names another charset', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss>Zoë</rss>')]);
    expect(decodeFeedBody(body, 'text/xml; charset=iso-8859-1')).toBe('<rss>Zoë</rss>');
  });

  it('decodes UTF-32 LE and BE with a BOM through iconv-lite', () => {
    const le = Buffer.from([0xff, 0xfe, 0, 0, 0x3c, 0, 0, 0, 0x61, 0, 0, 0, 0xac, 0x20, 0, 0, 0x3e, 0, 0, 0]);
    const be = Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x3c, 0, 0, 0, 0x61, 0, 0, 0x20, 0xac, 0, 0, 0, 0x3e]);
    expect(decodeFeedBody(le)).toBe('<a\u20ac>');
    expect(decodeFeedBody(be)).toBe('<a\u20ac>');
  });

  it('recognises UTF-16 without a BOM by the <?xml byte pattern, whatever the declaration says', () => {
    const le = Buffer.from('<?xml version="1.0" encoding="utf-16"?><rss>ñ</rss>', 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(decodeFeedBody(le)).toBe('<?xml version="1.0" encoding="utf-16"?><rss>ñ</rss>');
    expect(decodeFeedBody(be, 'application/xml; charset=utf-8')).toContain('<rss>ñ</rss>');
  });

  it('uses the charset only found in the XML declaration', () => {
    const body = bytes('<?xml version="1.0" encoding="koi8-r"?><title>', [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], '</title>');
    expect(decodeFeedBody(body, 'application/xml')).toContain('<title>Привет</title>');
  });

  it('lets the header charset win over a conflicting declaration', () => {
    const utf8Body = Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><title>Zoë</title>');
    expect(decodeFeedBody(utf8Body, 'application/rss+xml; charset="utf-8"')).toContain('<title>Zoë</title>');
    expect(detectFeedEncoding(utf8Body, 'application/rss+xml; charset="utf-8"').source).toBe('header');
  });

  it('prefers the declaration for text/xml without a charset (not the RFC 3023 US-ASCII default)', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="utf-8"?><title>Iñtërnâtiônàlizætiøn</title>');
    expect(decodeFeedBody(body, 'text/xml')).toContain('Iñtërnâtiônàlizætiøn');
  });

  it('skips an unknown header charset and reads the declaration', () => {
    const body = bytes('<?xml version="1.0" encoding="iso-8859-1"?><t>caf', [0xe9], '</t>');
    expect(decodeFeedBody(body, 'text/xml; charset=no-such-charset')).toContain('<t>café</t>');
  });

  it('falls back to UTF-8 for an unknown declared label', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="bogus"?><t>Zoë</t>');
    expect(decodeFeedBody(body)).toContain('<t>Zoë</t>');
  });

  it('ignores a UTF-16 label on ASCII-compatible bytes', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="utf-16"?><t>Zoë</t>');
    expect(decodeFeedBody(body, 'text/xml; charset=utf-16')).toContain('<t>Zoë</t>');
  });

  it('reads undeclared bytes that are not valid UTF-8 as windows-1252', () => {
    const body = bytes('<rss><t>don', [0x92], 't</t></rss>');
    expect(decodeFeedBody(body)).toBe('<rss><t>don\u2019t</t></rss>');
  });

  it('keeps a declared UTF-8 body with bad bytes as UTF-8 with replacement characters', () => {
    const body = bytes('<?xml version="1.0" encoding="utf-8"?><t>Espa', [0xf1], 'a</t>');
    expect(decodeFeedBody(body)).toContain('<t>Espa\ufffda</t>');
  });

  it('decodes empty and tiny bodies without throwing', () => {
    expect(decodeFeedBody(new Uint8Array(0))).toBe('');
    expect(decodeFeedBody(Buffer.from([0xff]))).toBe('\u00ff');
    expect(decodeFeedBody(Buffer.from([0xff, 0xfe]))).toBe('');
  });
});

describe('detectFeedEncoding', () => {
  it.each([
    ['text/xml;charset= "us-ascii"', 'us-ascii'],
    ["application/atom+xml;charset='gb2312'", 'gb2312'],
    ['application/xml;charset = us-ascii', 'us-ascii'],
    ['text/xml; charset=Windows-1252', 'windows-1252'],
  ])('reads the charset parameter of %s', (header, label) => {
    expect(detectFeedEncoding(Buffer.from('<rss/>'), header)).toEqual({ label, skip: 0, source: 'header' });
  });

  it('ignores a malformed charset parameter', () => {
    const body = Buffer.from('<rss/>');
    expect(detectFeedEncoding(body, 'text/xml; charset:iso-8859-1').source).toBe('default');
  });

  it('tells UTF-32 from UTF-16 without a BOM', () => {
    expect(detectFeedEncoding(Buffer.from([0x3c, 0, 0, 0, 0x3f, 0, 0, 0])).label).toBe('utf-32le');
    expect(detectFeedEncoding(Buffer.from([0, 0, 0, 0x3c, 0, 0, 0, 0x3f])).label).toBe('utf-32be');
    expect(detectFeedEncoding(Buffer.from([0x3c, 0, 0x3f, 0])).label).toBe('utf-16le');
    expect(detectFeedEncoding(Buffer.from([0, 0x3c, 0, 0x3f])).label).toBe('utf-16be');
  });
});
