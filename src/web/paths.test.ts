import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPublicDir, defaultTemplatesDir, findRepoRoot } from './paths.js';

describe('findRepoRoot', () => {
  it('finds the folder with package.json from src/web and from a built dist/src/web alike', () => {
    const root = findRepoRoot();
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(findRepoRoot(join(root, 'dist', 'src', 'web'))).toBe(root);
  });

  it('points the defaults at templates/ and public/', () => {
    expect(existsSync(join(defaultTemplatesDir(), 'layouts', 'main.hbs'))).toBe(true);
    expect(existsSync(join(defaultPublicDir(), 'portal.css'))).toBe(true);
  });

  it('says so when there is no package.json above', () => {
    expect(() => findRepoRoot('/')).toThrow(/^web: no package.json above/);
  });
});
