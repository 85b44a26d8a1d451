// What Node's HTTP parser refuses before there is a request (a malformed request line, headers past
// the size limit, a request that took too long to arrive), answered on the raw socket.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyBaseLogger } from 'fastify';
import { SECURITY_HEADERS } from './plugins/security.js';

/** The status for a parser error code, as Node's own answers choose it; anything else is a 400. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** A status line, the security headers and a plain-text body; nothing of the request. */
function rawAnswer(status: number): string {
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  const body = `${status} ${reason}\n`;
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Fixed strings, made once. */
const RAW_ANSWERS: ReadonlyMap<number, string> = new Map([400, 408, 413, 431].map((status) => [status, rawAnswer(status)]));

/**
 * Fastify's `clientErrorHandler`: Fastify's default answers JSON without the security headers.
 * Writes the answer, then closes the connection, as Node's own handler does.
 */
export function answerClientError(log: FastifyBaseLogger, error: ConnectionError, socket: Socket): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = STATUS_BY_CODE[error.code] ?? 400;
  // Visitors' and scanners' mistakes, not faults: below the default log level.
  log.debug({ code: error.code, status }, 'web: client error');
  if (socket.writable) socket.write(RAW_ANSWERS.get(status) ?? rawAnswer(status));
  socket.destroy();
}
