// Choosing a feed's character encoding and decoding its bytes to a string.
import { decodeWithLabel, isKnownLabel, isValidUtf8 } from './charset-decode.js';
import {
  charsetFromContentType,
  encodingFromXmlDeclaration,
  isWideLabel,
  sniffByteOrderMark,
  sniffWideEncoding,
  type SniffedEncoding,
} from './charset-sniff.js';

export type EncodingSource = 'bom' | 'pattern' | 'header' | 'declaration' | 'default' | 'fallback';

export interface DetectedEncoding extends SniffedEncoding {
  source: EncodingSource;
}

/**
 * The rule, first match wins:
 * 1. A byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE); it is stripped.
 * 2. The NUL pattern of UTF-16/32 without a BOM (XML 1.0 Appendix F). The bytes cannot be
 *    read any other way, so this beats any label.
 * 3. The Content-Type charset, when the decoders know it (RFC 3023: the header beats the
 *    declaration).
 * 4. The XML declaration's encoding="...", when the decoders know it.
 * 5. UTF-8; and when the bytes are not valid UTF-8, windows-1252 (the usual mislabelled feed).
 * RFC 3023 makes text/xml without a charset US-ASCII; we deliberately do not: many real feeds
 * are served as bare text/xml with the true encoding in the declaration, so for every media
 * type a missing charset sends us to the declaration. UTF-16/32 labels are ignored in steps 3
 * and 4, because the bytes there are ASCII-compatible (steps 1 and 2 found no wide text).
 */
export function detectFeedEncoding(bytes: Uint8Array, contentTypeHeader?: string | null): DetectedEncoding {
  const bom = sniffByteOrderMark(bytes);
  if (bom) return { ...bom, source: 'bom' };
  const wide = sniffWideEncoding(bytes);
  if (wide) return { label: wide, skip: 0, source: 'pattern' };
  const fromHeader = usableLabel(charsetFromContentType(contentTypeHeader));
  if (fromHeader) return { label: fromHeader, skip: 0, source: 'header' };
  const fromDeclaration = usableLabel(encodingFromXmlDeclaration(bytes));
  if (fromDeclaration) return { label: fromDeclaration, skip: 0, source: 'declaration' };
  if (isValidUtf8(bytes)) return { label: 'utf-8', skip: 0, source: 'default' };
  return { label: 'windows-1252', skip: 0, source: 'fallback' };
}

/** The feed's text as a JavaScript string, BOM removed; never throws. */
export function decodeFeedBody(bytes: Uint8Array, contentTypeHeader?: string | null): string {
  const { label, skip } = detectFeedEncoding(bytes, contentTypeHeader);
  return decodeWithLabel(bytes.subarray(skip), label);
}

function usableLabel(label: string | undefined): string | undefined {
  if (!label || isWideLabel(label) || !isKnownLabel(label)) return undefined;
  return label;
}
