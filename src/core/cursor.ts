// The stream's keyset position, opaque to visitors: base64url of "publishedAt.id".

export interface StreamCursor {
  publishedAt: number;
  id: number;
}

export function encodeCursor(cursor: StreamCursor): string {
  return Buffer.from(`${cursor.publishedAt}.${cursor.id}`, 'utf8').toString('base64url');
}

/** Returns undefined for anything that is not a cursor this portal made. */
export function decodeCursor(text: string): StreamCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(text)) return undefined;
  const match = /^(-?\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const publishedAt = Number(match[1]);
  const id = Number(match[2]);
  if (!Number.isSafeInteger(publishedAt) || !Number.isSafeInteger(id)) return undefined;
  return { publishedAt, id };
}
