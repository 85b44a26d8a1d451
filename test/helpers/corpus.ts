// Where the public conformance corpus is: ../shared/corpus beside the checkout (CI lays it there),
// or PORTAL_CORPUS_DIR. A fresh clone elsewhere has none: its tests skip and say why, except under
// CI=true, where a missing corpus fails the run instead of hiding it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusRoot = path.resolve(process.env.PORTAL_CORPUS_DIR ?? path.join(repoRoot, '../shared/corpus'));
export const hasCorpus = existsSync(path.join(corpusRoot, 'README.md'));

/** `describe` for tests that read the corpus. */
export function describeWithCorpus(name: string, body: () => void | Promise<void>): void {
  if (hasCorpus) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs the shared corpus', () => {
        throw new Error(`the shared corpus is not at ${corpusRoot} (set PORTAL_CORPUS_DIR)`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: the shared corpus is not at ${corpusRoot}; set PORTAL_CORPUS_DIR)`, () => {
      it.skip('needs the shared corpus', () => undefined);
    });
  }
}

/** `it` for a test that reads the corpus (skipped without it, failing under CI=true). */
export const itWithCorpus = hasCorpus || process.env.CI === 'true' ? it : it.skip;
