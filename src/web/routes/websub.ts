// /websub/:token: the callbacks of the portal's WebSub subscriptions. GET is a hub verifying our
// intent (answered only for what the portal asked); POST is a hub pushing the feed's new content.
import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../deps.js';

const TEXT = 'text/plain; charset=utf-8';

export async function webSubRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const callbacks = ctx.webSubCallbacks;
  if (!callbacks) return;
  // A scope of its own: a push may carry any content type (Atom, RSS, JSON), read as raw bytes for
  // its signature, up to the fetcher's size cap (Fastify answers 413 past it).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: callbacks.maxBodyBytes }, (_request, body, done) => done(null, body));

    scope.get<{ Params: { token: string }; Querystring: Record<string, string | undefined> }>('/websub/:token', async (request, reply) => {
      reply.header('cache-control', 'no-store').type(TEXT);
      const answer = await callbacks.verify(request.params.token, request.query);
      if (answer.status === 404) return reply.code(404).send('not found\n');
      return reply.code(200).send(answer.body);
    });

    scope.post<{ Params: { token: string } }>('/websub/:token', { bodyLimit: callbacks.maxBodyBytes }, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-hub-signature'];
      const contentType = request.headers['content-type'];
      const answer = await callbacks.receive(request.params.token, body, {
        ...(typeof signature === 'string' ? { signature } : {}),
        ...(contentType !== undefined ? { contentType } : {}),
      });
      return reply.code(answer.status).header('cache-control', 'no-store').type(TEXT).send(answer.status < 300 ? '' : 'not found\n');
    });
  });
}
