import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The policy: the pages have no scripts and no inline styles at all, so it allows none; styles and
 * images come only from this site.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join(';');

/**
 * The headers @fastify/helmet sent with the options this portal used (no HSTS: the portal may be
 * served over plain HTTP on a local network; HTTPS is the proxy's choice). Fixed strings, so they
 * are made once here rather than by helmet's middleware, which re-parsed its CSP directives on every
 * request (the top JavaScript cost of serving a cached page).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

/** Security headers on every response (404s, errors and 304s included): one callback hook, no parsing. */
export const securityPlugin = fp(
  async (app) => {
    app.addHook('onRequest', (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      reply.headers(SECURITY_HEADERS);
      done();
    });
  },
  { name: 'portal-security' },
);
