import fastifyCompress from '@fastify/compress';
import fp from 'fastify-plugin';

/**
 * gzip/br for responses made per request (search, errors, static files). Cached routes compress
 * through the ResponseCache and opt out with the route option `compress: false`.
 */
export const compressionPlugin = fp(
  async (app) => {
    await app.register(fastifyCompress, { global: true, encodings: ['br', 'gzip'], threshold: 1024 });
  },
  { name: 'portal-compression' },
);
