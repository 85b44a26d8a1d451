// Test helpers for the public conformance corpus (../shared/corpus): where it is, how its files
// read, what their comment header says. Not part of the build (src/**/testing is excluded).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { corpusRoot } from '../../../../test/helpers/corpus.js';

export { corpusRoot, repoRoot } from '../../../../test/helpers/corpus.js';

/** Every file below `dir` (absolute), sorted, skipping licence files. */
export function filesUnder(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !/^(LICENSE|README)/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Bytes to text as a fetcher would without a charset header: a BOM decides, else UTF-8. */
export function decodeBytes(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0x00 && bytes[1] === 0x00 && bytes[2] === 0xfe && bytes[3] === 0xff) return utf32(bytes.subarray(4), false);
  if (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0x00 && bytes[3] === 0x00) return utf32(bytes.subarray(4), true);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  return bytes.toString('utf8');
}

function utf32(bytes: Buffer, littleEndian: boolean): string {
  const chars: string[] = [];
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const code = littleEndian ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
    chars.push(code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD');
  }
  return chars.join('');
}

export function readCorpusFile(file: string): string {
  return decodeBytes(readFileSync(file));
}

/** A `Name: value` line of the file's leading comment (feedparser's Description/Expect/Header). */
export function headerLine(text: string, name: string): string | undefined {
  const match = new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(text.slice(0, 4000));
  return match?.[1]?.trim();
}

/** The URL the feedparser test server serves a file from, or its Content-Location header. */
export function feedparserFetchUrl(file: string, text: string): string {
  const header = headerLine(text, 'Header');
  const location = header && /^Content-Location:\s*(\S+)/i.exec(header)?.[1];
  if (location) return location;
  const relative = path.relative(path.join(corpusRoot, 'feedparser'), file).split(path.sep).join('/');
  return `http://127.0.0.1:8097/${relative}`;
}
