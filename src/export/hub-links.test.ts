// WEBSUB_HUB in the exported feeds: rel="hub" beside rel="self" in Atom and RSS, `hubs` in JSON Feed.
import { describe, expect, it } from 'vitest';
import { exportFeed, streamEntry } from '../../test/fixtures/export/entries.js';
import { parseXml } from '../../test/fixtures/export/xml-dom.js';
import { writeAtom, writeJsonFeed, writeRss } from './index.js';

const HUB = 'https://hub.example.net/?a=1&b=2';

function links(xml: string, name: string): { rel: string | null; href: string | null }[] {
  const document = parseXml(xml);
  return Array.from(document.getElementsByTagName(name))
    .filter((element) => element.parentNode?.nodeName === 'feed' || element.parentNode?.nodeName === 'channel')
    .map((element) => ({ rel: element.getAttribute('rel'), href: element.getAttribute('href') }));
}

describe('hub links in the exported feeds', () => {
  const feed = exportFeed([streamEntry()], { hubUrl: HUB });

  it('Atom names the hub and itself', () => {
    const found = links(writeAtom(feed), 'link');
    expect(found).toContainEqual({ rel: 'hub', href: HUB });
    expect(found).toContainEqual({ rel: 'self', href: feed.selfUrl });
  });

  it('RSS names the hub and itself with atom:link in the channel', () => {
    const found = links(writeRss(feed), 'atom:link');
    expect(found).toEqual([{ rel: 'self', href: feed.selfUrl }, { rel: 'hub', href: HUB }]);
  });

  it('JSON Feed lists the hub in `hubs`', () => {
    const document = JSON.parse(writeJsonFeed(feed)) as { hubs?: unknown; feed_url: string };
    expect(document.hubs).toEqual([{ type: 'WebSub', url: HUB }]);
    expect(document.feed_url).toBe(feed.selfUrl);
  });

  it('names no hub without WEBSUB_HUB', () => {
    const plain = exportFeed([streamEntry()]);
    expect(links(writeAtom(plain), 'link').some((l) => l.rel === 'hub')).toBe(false);
    expect(links(writeRss(plain), 'atom:link').some((l) => l.rel === 'hub')).toBe(false);
    expect(JSON.parse(writeJsonFeed(plain))).not.toHaveProperty('hubs');
  });
});
