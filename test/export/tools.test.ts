import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireTool, type ExternalTool } from '../fixtures/export/tools.js';

const missing: ExternalTool = { name: 'xmllint', available: false, reason: 'xmllint: spawn xmllint ENOENT; apt-get install libxml2-utils' };
const present: ExternalTool = { name: 'xmllint', available: true, reason: '' };

class Skipped extends Error {}

function skipper(): (note: string) => never {
  return (note) => {
    throw new Skipped(note);
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('requireTool', () => {
  it('lets the test run when the tool is there', () => {
    expect(() => requireTool(present, skipper())).not.toThrow();
  });

  it('skips with the reason when the tool is missing outside CI', () => {
    vi.stubEnv('CI', '');
    expect(() => requireTool(missing, skipper())).toThrow(Skipped);
    expect(() => requireTool(missing, skipper())).toThrow('xmllint is not installed (xmllint: spawn xmllint ENOENT; apt-get install libxml2-utils)');
  });

  it('fails, not skips, when the tool is missing under CI=true', () => {
    vi.stubEnv('CI', 'true');
    expect(() => requireTool(missing, skipper())).toThrow('xmllint is required when CI=true');
    expect(() => requireTool(missing, skipper())).not.toThrow(Skipped);
  });
});
