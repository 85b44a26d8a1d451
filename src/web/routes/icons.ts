// GET /icons/:id.:hash: a source's icon, served from the portal's own address so a visitor's
// browser never asks the source's site (no tracking of patients by the sites they read about).
import type { FastifyInstance } from 'fastify';
import { getIcon, listIconHashes, type Db } from '../../store/index.js';
import type { WebContext } from '../deps.js';
import { notFound } from '../errors.js';
import { CACHED_ROUTE } from './render.js';

/** Hex digits of the image's hash in its address and ETag: enough to tell one image from the next. */
const HASH_IN_URL = 16;

/** A hashed address never changes its bytes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The unhashed address (or an old hash, from a page cached elsewhere) may show a newer image soon. */
const SHORT = 'public, max-age=3600';

const ICON_FILE = /^([a-z0-9-]{1,64})(?:\.([0-9a-f]{16}))?$/;

/** The address the pages use for a source's icon with this hash. */
export function iconPath(sourceId: string, hash: string): string {
  return `/icons/${sourceId}.${hash.slice(0, HASH_IN_URL)}`;
}

/** Each active source that has an icon, with its address: what the templates' sourceIcon helper reads. */
export async function iconPaths(db: Db): Promise<Map<string, string>> {
  const hashes = await listIconHashes(db);
  return new Map([...hashes].map(([id, hash]) => [id, iconPath(id, hash)]));
}

export async function iconRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get<{ Params: { file: string } }>(
    '/icons/:file',
    { ...CACHED_ROUTE, schema: { params: { type: 'object', properties: { file: { type: 'string', maxLength: 100 } } } } },
    async (request, reply) => {
      const match = ICON_FILE.exec(request.params.file);
      const icon = match?.[1] === undefined ? undefined : await getIcon(ctx.db, match[1]);
      if (!icon) throw notFound('This source has no icon.');
      const etag = `"${icon.hash.slice(0, HASH_IN_URL)}"`;
      const asked = match?.[2];
      reply.header('cache-control', asked !== undefined && icon.hash.startsWith(asked) ? IMMUTABLE : SHORT);
      reply.header('etag', etag);
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
      // The bytes were sniffed when fetched; nosniff (a security header on every response) keeps browsers to this type.
      return reply.type(icon.mediaType).header('content-length', icon.bytes.byteLength).send(icon.bytes);
    },
  );
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}
