// Runs feedparser's encoding test feeds through decodeFeedBody. Files with `http` in their name
// carry a `Header: Content-type: ...` line meant to be served as the HTTP header; we pass it in.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { corpusRoot, describeWithCorpus, hasCorpus } from '../../../test/helpers/corpus.js';
import { decodeFeedBody, detectFeedEncoding } from './charset.js';

const encodingDir = path.join(corpusRoot, 'feedparser/tests/encoding');
const files = hasCorpus ? readdirSync(encodingDir).filter((name) => name.endsWith('.xml')).sort() : [];

function load(name: string): { bytes: Buffer; contentType: string | undefined } {
  const bytes = readFileSync(path.join(encodingDir, name));
  const header = /^Header:\s*Content-type:\s*(.*)$/im.exec(bytes.toString('latin1'));
  return { bytes, contentType: header?.[1]?.trim() };
}

function decodeCorpusFile(name: string): string {
  const { bytes, contentType } = load(name);
  return decodeFeedBody(bytes, contentType);
}

describeWithCorpus('feedparser encoding corpus', () => {
  it('holds the files we expect', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
  });

  it.each(files)('%s decodes to markup without throwing', (name) => {
    const text = decodeCorpusFile(name);
    expect(text).toContain('<');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it.each([
    ['euc-kr.xml', '<title>\ub144</title>'],
    ['euc-kr-item.xml', '<description>\ub144</description>'],
    ['euc-kr-attribute.xml', '&lt;img alt="\ub144" />'],
    ['http_text_xml_charset_2.xml', 'This is a \xa3\u201ctest.\u201d'],
    ['http_text_xml_charset_overrides_encoding_2.xml', 'This is a \xa3\u201ctest.\u201d'],
    ['bozo_http_i18n.xml', '<title>I\xf1t\xebrn\xe2ti\xf4n\xe0liz\xe6ti\xf8n</title>'],
    ['http_i18n.xml', '<title>I\xf1t\xebrn\xe2ti\xf4n\xe0liz\xe6ti\xf8n</title>'],
    ['bozo_linenoise.xml', '<![CDATA[ \u2019<>\u201d\ufffd ]]>'],
  ])('%s holds the text its Expect line names', (name, expected) => {
    expect(decodeCorpusFile(name)).toContain(expected);
  });

  it.each([
    'utf-16be-autodetect.xml',
    'utf-16be-bom.xml',
    'utf-16be.xml',
    'utf-16le-autodetect.xml',
    'utf-16le-bom.xml',
    'utf-16le.xml',
    'utf-32be-autodetect.xml',
    'utf-32be-bom.xml',
    'utf-32be.xml',
    'utf-32le-autodetect.xml',
    'utf-32le-bom.xml',
    'utf-32le.xml',
    'u16.xml',
    'utf16.xml',
    'utf_16.xml',
    'utf_32.xml',
    'utf-8-bom.xml',
  ])('%s decodes wide or BOM-marked text to the plain declaration', (name) => {
    const text = decodeCorpusFile(name);
    expect(text.startsWith('<?xml version="1.0" encoding="')).toBe(true);
    expect(text).toContain('<rss>');
  });

  it.each([
    ['http_application_atom_xml_gb2312_charset.xml', 'header'],
    ['http_application_xml_charset_overrides_encoding.xml', 'header'],
    ['http_application_rss_xml_encoding.xml', 'declaration'],
    ['http_text_xml_default.xml', 'default'],
    ['utf-32le-autodetect.xml', 'pattern'],
    ['utf-16be-bom.xml', 'bom'],
  ])('%s takes its encoding from the %s', (name, source) => {
    const { bytes, contentType } = load(name);
    expect(detectFeedEncoding(bytes, contentType).source).toBe(source);
  });
});
