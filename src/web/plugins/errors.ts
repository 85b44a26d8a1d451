import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';
import { SECURITY_HEADERS } from './security.js';

/**
 * The 404 page and the one error handler: visitor mistakes (4xx) get a page that says what went wrong;
 * server faults (5xx) are logged and shown as a plain "something went wrong" without their text.
 */
export const errorPagesPlugin = fp(
  async (app) => {
    app.setNotFoundHandler((request, reply) =>
      sendErrorPage(app, request, reply, { status: 404, message: 'The page you asked for is not here. It may have moved, or the address may be mistyped.' }),
    );
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = statusOf(error);
      if (status >= 500) {
        request.log.error({ err: error, url: request.url }, 'web: request failed');
        return sendErrorPage(app, request, reply, { status, message: '' });
      }
      return sendErrorPage(app, request, reply, { status, message: visitorMessage(error) });
    });
  },
  { name: 'portal-error-pages', dependencies: ['portal-views'] },
);

/** What Fastify refuses before routing, by its error code: the visitor's words and the status. */
const FRAMEWORK_REFUSALS: Readonly<Record<string, { status: number; message: string }>> = {
  FST_ERR_BAD_URL: { status: 400, message: 'The address of this page could not be read: it has a % sign that does not start a valid escape.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, message: 'The address of this page is too long.' },
};

/**
 * Fastify's `frameworkErrors` option: a URL it cannot decode ('/%ff'), a parameter past
 * maxParamLength. No route and no hook has run, so the page brings its own headers; like every
 * error page it never shows the address it was asked for.
 */
export function answerFrameworkError(app: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const refusal = FRAMEWORK_REFUSALS[error.code];
  if (refusal === undefined) request.log.error({ err: error }, 'web: request refused by the framework');
  return sendErrorPage(app, request, reply, { status: refusal?.status ?? 500, message: refusal?.message ?? '', navPath: '' });
}

function statusOf(error: FastifyError): number {
  const status = error.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

/** What Fastify refuses while reading a request's body (the feedback form's), by its error code. */
const BODY_REFUSALS: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'That was more than the form takes. Shorten your comment and send it again.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This address accepts only the feedback form, sent from its page.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request said it was one length and was another.',
};

function visitorMessage(error: FastifyError): string {
  if (error instanceof HttpError) return error.message;
  const refusal = BODY_REFUSALS[error.code];
  if (refusal !== undefined) return refusal;
  if (error.validation) return `This page could not read its query string (${error.message}).`;
  return 'The request could not be handled.';
}

const HEADINGS: Record<number, string> = {
  400: 'That request could not be understood',
  404: 'Page not found',
  413: 'That was too much to send',
  414: 'That address is too long',
  415: 'That kind of request is not accepted here',
  500: 'Something went wrong',
};

interface ErrorPage {
  status: number;
  /** For a 4xx, what the visitor reads; 5xx pages say only that it was our fault. */
  message: string;
  /**
   * Which navigation item the page marks: the route's own pattern by default. Never the request's
   * URL, which is the visitor's text (and, for a framework refusal, one that could not be decoded).
   */
  navPath?: string;
}

async function sendErrorPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, page: ErrorPage): Promise<FastifyReply> {
  const { status, message } = page;
  const heading = HEADINGS[status] ?? (status >= 500 ? HEADINGS[500] : HEADINGS[400]) ?? 'Error';
  // Set here too, not only by the security plugin's hook: a framework refusal reaches this page with no hook run.
  reply.headers(SECURITY_HEADERS);
  reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store');
  try {
    const html = await app.renderPage({
      template: status === 404 ? 'not-found' : 'error',
      path: page.navPath ?? request.routeOptions.url ?? '',
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
