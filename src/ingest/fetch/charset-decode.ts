// Turning bytes into a string once the encoding label is chosen.
import iconv from 'iconv-lite';

/** True when TextDecoder or iconv-lite knows the label. */
export function isKnownLabel(label: string): boolean {
  return textDecoderFor(label) !== undefined || iconv.encodingExists(label);
}

/**
 * Decodes with TextDecoder (Node's full ICU knows the WHATWG labels), else iconv-lite (it knows
 * UTF-32 and odd spellings TextDecoder rejects), else UTF-8. Malformed bytes become U+FFFD.
 * The caller has already skipped any BOM, so neither decoder is allowed to eat one.
 */
export function decodeWithLabel(bytes: Uint8Array, label: string): string {
  const decoder = textDecoderFor(label);
  // Node 20's TextDecoder takes a Latin-1 shortcut for the windows-1252 family (latin1,
  // iso-8859-1, us-ascii...): 0x80-0x9f come out as C1 controls instead of curly quotes and
  // the euro sign, so that family goes to iconv-lite, which maps them as WHATWG says.
  if (decoder?.encoding === 'windows-1252') return iconvDecode(bytes, 'windows-1252');
  if (decoder) return decoder.decode(bytes);
  if (iconv.encodingExists(label)) return iconvDecode(bytes, label);
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

function iconvDecode(bytes: Uint8Array, label: string): string {
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), label, { stripBOM: false });
}

/** True when the bytes are well-formed UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function textDecoderFor(label: string): TextDecoder | undefined {
  try {
    return new TextDecoder(label, { ignoreBOM: true });
  } catch {
    return undefined;
  }
}
