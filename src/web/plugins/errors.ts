import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

/**
 * The 404 page and the one error handler: visitor mistakes (4xx) get a page that says what went wrong;
 * server faults (5xx) are logged and shown as a plain "something went wrong" without their text.
 */
export const errorPagesPlugin = fp(
  async (app) => {
    app.setNotFoundHandler((request, reply) =>
      sendErrorPage(app, request, reply, 404, 'The page you asked for is not here. It may have moved, or the address may be mistyped.'),
    );
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = statusOf(error);
      if (status >= 500) {
        request.log.error({ err: error, url: request.url }, 'web: request failed');
        return sendErrorPage(app, request, reply, status, '');
      }
      return sendErrorPage(app, request, reply, status, visitorMessage(error));
    });
  },
  { name: 'portal-error-pages', dependencies: ['portal-views'] },
);

function statusOf(error: FastifyError): number {
  const status = error.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

function visitorMessage(error: FastifyError): string {
  if (error instanceof HttpError) return error.message;
  if (error.validation) return `This page could not read its query string (${error.message}).`;
  return 'The request could not be handled.';
}

const HEADINGS: Record<number, string> = {
  400: 'That request could not be understood',
  404: 'Page not found',
  500: 'Something went wrong',
};

async function sendErrorPage(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
): Promise<FastifyReply> {
  const heading = HEADINGS[status] ?? (status >= 500 ? HEADINGS[500] : HEADINGS[400]) ?? 'Error';
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store');
  try {
    const html = await app.renderPage({
      template: status === 404 ? 'not-found' : 'error',
      path: request.url,
      title: heading,
      data: { heading, message, status, serverError: status >= 500 },
    });
    return reply.send(html);
  } catch (renderError) {
    // The templates themselves failed: say so in plain text rather than loop through this handler.
    request.log.error({ err: renderError }, 'web: error page failed to render');
    return reply.type('text/plain; charset=utf-8').send(`${status} ${heading}`);
  }
}
