import { describe, expect, it } from 'vitest';
import { itWithCorpus } from '../../test/helpers/corpus.js';
import { HOSTILE_TITLE, HOSTILE_TITLE_CLEAN, exportFeed, streamEntry } from '../../test/fixtures/export/entries.js';
import { jsonFeedValidator } from '../../test/fixtures/export/json-feed-schema.js';
import { writeJsonFeed, type JsonFeedDocument } from './json-feed.js';
import { mintedEntryId } from './model.js';

// The schema is read from the shared corpus when a test first needs it.
const validate = (document: unknown) => jsonFeedValidator()(document);

function read(text: string): JsonFeedDocument {
  return JSON.parse(text) as JsonFeedDocument;
}

describe('writeJsonFeed', () => {
  itWithCorpus('writes a JSON Feed 1.1 document that the schema accepts', () => {
    const text = writeJsonFeed(
      exportFeed([
        streamEntry({ enclosures: [{ url: 'https://c.example/a.mp3', type: 'audio/mpeg', length: 42 }] }),
        streamEntry({ id: 2, entryId: 'local-2', link: '', author: null, categories: [], contentHtml: '', excerpt: '' }),
      ]),
    );
    const document = read(text);
    expect(validate(document)).toEqual([]);
    expect(document.version).toBe('https://jsonfeed.org/version/1.1');
    expect(document.home_page_url).toBe('https://portal.example.org/conversations');
    expect(document.feed_url).toBe('https://portal.example.org/feed.xml');
  });

  itWithCorpus('has a validator that does refuse what the schema forbids (so passing means something)', () => {
    const bad = { version: 'https://jsonfeed.org/version/1.1', title: 't', items: [{ id: '1', content_html: '', url: 'not a uri' }] };
    expect(validate(bad).map((e) => e.message)).toContain('must match format "uri"');
    expect(validate({ ...bad, items: [{ content_html: '' }] })).not.toEqual([]);
  });

  it('writes each item with id, url, dates, authors, tags, attachments, content and _source', () => {
    const [item] = read(
      writeJsonFeed(
        exportFeed([
          streamEntry({
            updatedAt: Date.UTC(2026, 0, 6),
            categories: ['a&b', ''],
            enclosures: [{ url: 'https://c.example/a.mp3', type: 'audio/mpeg', length: 42 }, { url: 'https://c.example/b' }],
          }),
        ]),
      ),
    ).items;
    expect(item).toEqual({
      id: 'https://www.epatientdave.com/2026/01/let-patients-help/',
      url: 'https://www.epatientdave.com/2026/01/let-patients-help/',
      title: 'Let patients help',
      content_html: '<p>Patients are the most <em>underused</em> resource in health care.</p>',
      summary: 'Patients are the most underused resource in health care.',
      date_published: '2026-01-05T14:30:00Z',
      date_modified: '2026-01-06T00:00:00Z',
      authors: [{ name: 'Dave deBronkart' }],
      tags: ['a&b'],
      attachments: [
        { url: 'https://c.example/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: 42 },
        { url: 'https://c.example/b', mime_type: 'application/octet-stream' },
      ],
      _source: {
        id: 'e-patient-dave',
        title: "e-Patient Dave's Blog",
        url: 'https://www.epatientdave.com/',
        feed_url: 'https://www.epatientdave.com/feed/',
      },
      _sources: { carried_by: [{ id: 'e-patient-dave', title: "e-Patient Dave's Blog" }] },
    });
  });

  itWithCorpus('credits every source that carried the item in _sources, the first first, and the schema accepts it', () => {
    const shared = streamEntry({
      sources: [
        { id: 'e-patient-dave', title: "e-Patient Dave's Blog" },
        { id: 'regina-holliday', title: 'Regina Holliday\u0007s Blog' },
      ],
    });
    const document = read(writeJsonFeed(exportFeed([shared])));
    expect(document.items[0]!._sources).toEqual({
      carried_by: [
        { id: 'e-patient-dave', title: "e-Patient Dave's Blog" },
        { id: 'regina-holliday', title: 'Regina Hollidays Blog' },
      ],
    });
    expect(validate(document)).toEqual([]);
  });

  it('uses the same ids as Atom: original global ids kept, others minted', () => {
    const local = streamEntry({ entryId: '12345' });
    expect(read(writeJsonFeed(exportFeed([local]))).items[0]!.id).toBe(mintedEntryId(local, 'https://portal.example.org/'));
  });

  itWithCorpus('drops the characters the XML formats drop, so all four carry the same title', () => {
    const document = read(writeJsonFeed(exportFeed([streamEntry({ title: HOSTILE_TITLE })], { title: HOSTILE_TITLE })));
    expect(document.title).toBe(HOSTILE_TITLE_CLEAN);
    expect(document.items[0]!.title).toBe(HOSTILE_TITLE_CLEAN);
    expect(validate(document)).toEqual([]);
  });

  itWithCorpus('writes an empty stream as an empty items list', () => {
    const document = read(writeJsonFeed(exportFeed([])));
    expect(document.items).toEqual([]);
    expect(validate(document)).toEqual([]);
  });
});
