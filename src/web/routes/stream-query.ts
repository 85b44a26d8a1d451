// The query string of /conversations: its schema, and its parsing into a stream query.
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import type { StreamCursorPosition } from '../../store/index.js';
import { badRequest } from '../errors.js';

const CURSOR = { type: 'string', pattern: '^[A-Za-z0-9_-]{0,40}$' } as const;

/** Unknown parameters are dropped (Fastify's Ajv removes them); empty ones mean "not set". */
export const conversationsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { type: 'string', pattern: '^[a-z0-9-]{0,64}$' },
    category: { type: 'string', maxLength: 64 },
    before: CURSOR,
    after: CURSOR,
  },
} as const;

export interface ConversationsQuery {
  source?: string;
  category?: string;
  before?: string;
  after?: string;
}

export interface StreamFilter {
  source?: string;
  category?: string;
  before?: StreamCursorPosition;
  after?: StreamCursorPosition;
}

/** Checks the cursors (a visitor's edited link gets 400, not 500) and drops empty parameters. */
export function parseStreamFilter(query: ConversationsQuery): StreamFilter {
  const source = query.source || undefined;
  const category = query.category?.trim() || undefined;
  if (query.before && query.after) throw badRequest('A page link has either “before” or “after”, not both.');
  return {
    ...(source ? { source } : {}),
    ...(category ? { category } : {}),
    ...(query.before ? { before: cursorFrom(query.before) } : {}),
    ...(query.after ? { after: cursorFrom(query.after) } : {}),
  };
}

function cursorFrom(text: string): StreamCursorPosition {
  const cursor = decodeCursor(text);
  if (!cursor) throw badRequest('That page link is not one this portal made. Start again from the newest conversations.');
  return cursor;
}

/** The canonical query string of a filter (fixed order), for links and cache keys. */
export function streamQueryString(filter: StreamFilter): string {
  const params = new URLSearchParams();
  if (filter.source) params.set('source', filter.source);
  if (filter.category) params.set('category', filter.category);
  if (filter.before) params.set('before', encodeCursor(filter.before));
  if (filter.after) params.set('after', encodeCursor(filter.after));
  const text = params.toString();
  return text ? `?${text}` : '';
}
