// A hostile feed (issue 16): an RSS item whose description nests HTML elements ~150,000 deep in
// ~1 MB that once stalled the web process for seconds; tests and the bench serve it.

export interface HostileFeedOptions {
  /** How deep each description's elements nest. */
  depth?: number;
  /** How many such items. */
  items?: number;
}

/**
 * The deepest nesting (`<b>` and its `</b>`, 7 characters a level) that keeps one item's feed
 * under 1,000,000 characters, where the pool's ordinary workers take it.
 */
export const HOSTILE_DEPTH = 142_000;

export function hostileFeed(options: HostileFeedOptions = {}): string {
  const depth = options.depth ?? HOSTILE_DEPTH;
  const description = `${'<b>'.repeat(depth)}deep${'</b>'.repeat(depth)}`;
  const items = Array.from(
    { length: options.items ?? 1 },
    (_, n) =>
      `<item><title>Deep ${n + 1}</title><link>https://hostile.example.org/deep/${n + 1}</link><guid>deep-${n + 1}</guid>` +
      `<description><![CDATA[${description}]]></description></item>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0"><channel>',
    '<title>Hostile</title><link>https://hostile.example.org/</link><description>Nested too deep</description>',
    ...items,
    '</channel></rss>',
    '',
  ].join('\n');
}
