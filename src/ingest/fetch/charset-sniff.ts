// Byte-level clues to a feed's character encoding: byte-order marks, the NUL pattern of
// UTF-16/32 text without a BOM, the Content-Type charset and the XML declaration.

export interface SniffedEncoding {
  /** An encoding label TextDecoder or iconv-lite understands. */
  label: string;
  /** Bytes to skip before decoding (the BOM). */
  skip: number;
}

/** How many leading bytes we read as ASCII to find an XML declaration. */
const DECLARATION_WINDOW = 1024;

// Longest marks first: the UTF-32 LE mark starts with the UTF-16 LE one.
const BYTE_ORDER_MARKS: ReadonlyArray<{ label: string; bytes: readonly number[] }> = [
  { label: 'utf-32le', bytes: [0xff, 0xfe, 0x00, 0x00] },
  { label: 'utf-32be', bytes: [0x00, 0x00, 0xfe, 0xff] },
  { label: 'utf-8', bytes: [0xef, 0xbb, 0xbf] },
  { label: 'utf-16le', bytes: [0xff, 0xfe] },
  { label: 'utf-16be', bytes: [0xfe, 0xff] },
];

export function sniffByteOrderMark(bytes: Uint8Array): SniffedEncoding | undefined {
  const mark = BYTE_ORDER_MARKS.find((m) => m.bytes.every((b, i) => bytes[i] === b));
  return mark ? { label: mark.label, skip: mark.bytes.length } : undefined;
}

/**
 * UTF-16/32 without a BOM, told by where the NUL bytes sit around the first ASCII character
 * (XML 1.0 Appendix F: '<?xml' is 00 3C 00 3F in UTF-16BE, 3C 00 00 00 in UTF-32LE, ...).
 * We accept any non-NUL first character so leading whitespace or a bare '<rss' also count.
 */
export function sniffWideEncoding(bytes: Uint8Array): string | undefined {
  if (bytes.length < 4) return undefined;
  const nul = [0, 1, 2, 3].map((i) => bytes[i] === 0);
  const pattern = nul.map((isNul) => (isNul ? '0' : 'x')).join('');
  const byPattern: Record<string, string> = {
    '000x': 'utf-32be',
    'x000': 'utf-32le',
    '0x0x': 'utf-16be',
    'x0x0': 'utf-16le',
  };
  return byPattern[pattern];
}

/**
 * The charset parameter of a Content-Type header, unquoted and lower-cased, or undefined.
 * Tolerates spaces around '=' and single or double quotes, as real servers send them.
 */
export function charsetFromContentType(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  for (const param of header.split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const value = param.slice(eq + 1).trim().replace(/^["']|["']$/g, '').trim();
    return value ? value.toLowerCase() : undefined;
  }
  return undefined;
}

const XML_DECLARATION_ENCODING = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._:-]*)\1/;

/** The encoding="..." of an XML declaration in the first ~1 KB read as ASCII, lower-cased. */
export function encodingFromXmlDeclaration(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, DECLARATION_WINDOW));
  const match = XML_DECLARATION_ENCODING.exec(head.toString('latin1'));
  return match?.[2]?.toLowerCase();
}

/** True for labels naming UTF-16 or UTF-32 in any of the spellings feeds use (utf-16, u16, utf_32, ucs-2...). */
export function isWideLabel(label: string): boolean {
  const squashed = label.toLowerCase().replace(/[^a-z0-9]/g, '');
  return /^(utf16|utf32|u16|u32|ucs2|ucs4|unicode)/.test(squashed);
}
