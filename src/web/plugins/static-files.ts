import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

export interface StaticOptions {
  publicDir: string;
}

/** public/ under /static/ (the stylesheet, the icon); /favicon.ico answers from there too. */
export const staticFilesPlugin = fp<StaticOptions>(
  async (app, options) => {
    await app.register(fastifyStatic, {
      root: options.publicDir,
      prefix: '/static/',
      index: false,
      // Revalidated by ETag each time: an operator's CSS edit shows at once.
      maxAge: 0,
      cacheControl: true,
    });
    app.get('/favicon.ico', (_request, reply) => reply.sendFile('favicon.svg'));
  },
  { name: 'portal-static', dependencies: ['portal-compression'] },
);
