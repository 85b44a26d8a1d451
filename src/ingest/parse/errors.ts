/** Thrown by parseFeed for anything that is not a feed it can read; the message starts "parse: ". */
export class FeedParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message.startsWith('parse: ') ? message : `parse: ${message}`, options);
    this.name = 'FeedParseError';
  }
}
