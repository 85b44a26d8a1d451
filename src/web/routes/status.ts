import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../deps.js';

/** /status, /status.json, /healthz and /metrics: what operators watch. */
export async function statusRoutes(_app: FastifyInstance, _ctx: WebContext): Promise<void> {
  // Filled in by the operators' work (issue 5).
}
