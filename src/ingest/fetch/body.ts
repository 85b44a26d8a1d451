// Reading a response body under a byte cap and the request's deadline.

export type BodyOutcome = { kind: 'ok'; bytes: Uint8Array } | { kind: 'too-large' };

/**
 * Reads the whole (already content-decoded) body, giving up with 'too-large' as soon as more
 * than maxBytes arrive, so a gzip bomb or an endless body never fills memory. Throws the
 * signal's reason when it aborts, even if the stream itself ignores the signal.
 */
export async function readBodyLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal: AbortSignal,
): Promise<BodyOutcome> {
  if (!body) return { kind: 'ok', bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const cancelOnAbort = () => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener('abort', cancelOnAbort, { once: true });
  try {
    return await readChunks(reader, maxBytes, signal);
  } finally {
    signal.removeEventListener('abort', cancelOnAbort);
  }
}

async function readChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<BodyOutcome> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    signal.throwIfAborted();
    const { done, value } = await reader.read();
    // A cancel on abort ends the stream quietly; the body is then incomplete, not done.
    signal.throwIfAborted();
    if (done) return { kind: 'ok', bytes: Buffer.concat(chunks, total) };
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => undefined);
      return { kind: 'too-large' };
    }
    chunks.push(value);
  }
}

/** Releases a body we will not read, so the connection is not left hanging. */
export function discardBody(response: Response): void {
  if (response.body && !response.bodyUsed) void response.body.cancel().catch(() => undefined);
}

/**
 * True when the server's Content-Length alone already says the body is over the cap. It counts
 * the encoded bytes, and a compressed body only grows when decoded, so the early refusal is fair.
 */
export function declaredLengthExceeds(headers: Headers, maxBytes: number): boolean {
  const declared = Number(headers.get('content-length'));
  return Number.isFinite(declared) && declared > maxBytes;
}
