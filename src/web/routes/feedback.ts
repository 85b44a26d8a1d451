// The feedback form's routes: the form, what a post to it gets, and the thank-you page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_FEEDBACK_RETENTION_DAYS } from '../../config/index.js';
import { admitFeedbackPost, saveFeedback, sharedSecret } from '../../store/index.js';
import type { WebContext } from '../deps.js';
import { HttpError } from '../errors.js';
import { addressHash, decodeFormBody, FEEDBACK_BODY_LIMIT, feedbackFormView, readFeedback, type FeedbackFormView } from '../feedback-form.js';
import { SECTIONS } from '../views/sections.js';
import { CACHED_ROUTE, HTML, htmlPage } from './render.js';

export const FEEDBACK_PATH = '/feedback';
const THANKS_PATH = '/feedback/thanks';
/** Posts one address may make in the window; the rest wait. */
const POSTS_PER_WINDOW = 5;
const WINDOW_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
const FORM_TYPE = 'application/x-www-form-urlencoded';

const section = SECTIONS.find((s) => s.path === FEEDBACK_PATH);

/**
 * /feedback (the form, cached like the other sections), POST /feedback and the thank-you page.
 * What a visitor sends is stored for the operator's export alone: no page, feed or search shows it.
 */
export async function feedbackRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  if (!section) throw new Error('web: the feedback section is missing from SECTIONS');
  const page = { template: 'feedback', path: FEEDBACK_PATH, title: section.title, description: section.description };
  let storedSecret: Promise<string> | undefined;
  const secret = () => ctx.feedback?.secret ?? (storedSecret ??= sharedSecret(ctx.db, 'feedback').catch((error: unknown) => {
    storedSecret = undefined;
    throw error;
  }));
  const retentionMs = (ctx.feedback?.retentionDays ?? DEFAULT_FEEDBACK_RETENTION_DAYS) * DAY_MS;

  const renderForm = (form: FeedbackFormView, invalid = false) =>
    app.renderPage({ ...page, ...(invalid ? { title: `Error: ${page.title}` } : {}), data: { section, form } });

  app.get(FEEDBACK_PATH, { ...CACHED_ROUTE }, (request, reply) =>
    ctx.cache.serve(request, reply, FEEDBACK_PATH, async () => htmlPage(await renderForm(feedbackFormView()))),
  );

  app.get(THANKS_PATH, async (_request, reply) => {
    const html = await app.renderPage({ template: 'feedback-thanks', path: FEEDBACK_PATH, title: 'Thank you', description: section.description });
    return reply.header('cache-control', 'no-store').type(HTML).send(html);
  });

  // Its own scope, so the form parser (and the refusal of every other type) touches no other route.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(FORM_TYPE, { parseAs: 'buffer', bodyLimit: FEEDBACK_BODY_LIMIT }, (request, body, done) => {
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        done(new HttpError(415, 'The form is read as UTF-8 only; send it again from its page.'), undefined);
        return;
      }
      const fields = decodeFormBody(body as Buffer);
      if (fields === undefined) done(new HttpError(400, 'The form arrived with characters that could not be read. Send it again from its page.'), undefined);
      else done(null, fields);
    });

    scope.post(FEEDBACK_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
      const fields = request.body;
      // No body at all skips every parser: refused like any other type.
      if (!(fields instanceof Map)) throw new HttpError(415, 'This address accepts only the feedback form, sent from its page.');
      reply.header('cache-control', 'no-store');
      const now = ctx.now();
      const admission = await admitFeedbackPost(ctx.db, {
        addressHash: addressHash(await secret(), request.ip),
        now,
        limit: POSTS_PER_WINDOW,
        windowMs: WINDOW_MS,
      });
      if (!admission.admitted) return tooMany(app, reply, admission.retryAfterMs);
      const outcome = readFeedback(fields as Map<string, string>);
      if (outcome.kind === 'invalid') return reply.code(400).type(HTML).send(await renderForm(feedbackFormView(outcome.values, outcome.errors), true));
      if (outcome.kind === 'valid') await saveFeedback(ctx.db, outcome.response, { now, keepSince: now - retentionMs });
      else request.log.info('feedback: a post filled the hidden field; not stored');
      return reply.code(303).header('location', THANKS_PATH).send();
    });
  });
}

async function tooMany(app: FastifyInstance, reply: FastifyReply, retryAfterMs: number): Promise<FastifyReply> {
  const seconds = Math.ceil(retryAfterMs / 1000);
  const minutes = Math.ceil(seconds / 60);
  const html = await app.renderPage({
    template: 'error',
    path: FEEDBACK_PATH,
    title: 'Please wait a little',
    data: {
      heading: 'Please wait a little',
      message: `Thank you for writing. We take only a few messages at a time from one connection: please send yours again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`,
      status: 429,
    },
  });
  return reply.code(429).header('retry-after', String(seconds)).type(HTML).send(html);
}
