// The seed's feeds file as the project ships it (feeds.default.yaml, which npm install copies to
// feeds.yaml for the operator to edit): valid, and holding every source of the seed page.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import type { FeedsConfig } from '../core/types.js';
import { formatIssue, loadFeedsFile } from './feeds-file.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The seed page's sources (see the seed's SOURCES.md): title, site, and whether a feed is polled. */
const SEED_SOURCES = [
  ["Regina Holliday's Medical Advocacy Blog", 'https://reginaholliday.blogspot.com/', 'feed'],
  ["e-Patient Dave's Blog", 'https://www.epatientdave.com/', 'feed'],
  ['Stephen Wilkins Blog', 'https://mindthegapacademy.com/', 'feed'],
  ['Center for Patient & Consumer Engagement Blog', 'https://www.cfah.org/blog/', 'feed'],
  ['HIMSS Patient Engagement Blog Posts', 'https://www.himss.org/', 'feed'],
  ['e-Patients Blog (Society for Participatory Medicine)', 'https://participatorymedicine.org/epatients/', 'feed'],
  ["Health IT Buzz (ONC's blog)", 'https://www.healthit.gov/buzz-blog/', 'feed'],
  ['Employers Pushing Patient Engagement Tools', 'https://www.ihealthbeat.org/', 'link-only'],
  ['Federal Government aims videos at patients to get them involved in care', 'https://www.healthit.gov/', 'link-only'],
  ['Society for Participatory Medicine Facebook page', 'https://www.facebook.com/participatorymedicine', 'link-only'],
  ['ONC Twitter', 'https://twitter.com/ONC_HealthIT', 'link-only'],
  ['eHealth Tools You Can Use', 'https://www.healthit.gov/topic/health-it-basics/ehealth-tools-you-can-use', 'link-only'],
  ["e-Patient Dave's definition of patient engagement (video)", 'https://www.epatientdave.com/', 'link-only'],
] as const;

async function loadRealFeeds(): Promise<FeedsConfig> {
  const result = await loadFeedsFile(path.join(repoRoot, 'feeds.default.yaml'));
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.config;
}

describe('the shipped feeds.default.yaml', () => {
  it('is valid and carries the site block', async () => {
    const { site } = await loadRealFeeds();
    expect(site).toEqual({
      title: 'Patient Engagement for Care Teams',
      tagline: 'Advancing health information technology in Minnesota and North Dakota.',
      url: 'https://portal.example.org/',
      timezone: 'America/Chicago',
      maxEntries: 200,
      perSourceOnHome: 3,
    });
  });

  it.each(SEED_SOURCES)('holds %s (%s, %s)', async (title, site, kind) => {
    const source = (await loadRealFeeds()).sources.find((s) => s.title === title);
    expect(source?.site).toBe(site);
    expect(source?.description.length).toBeGreaterThan(20);
    expect(source?.feed !== undefined).toBe(kind === 'feed');
  });

  it('holds nothing but the seed sources', async () => {
    const titles = (await loadRealFeeds()).sources.map((s) => s.title);
    expect([...titles].sort()).toEqual(SEED_SOURCES.map(([title]) => title).sort());
  });

  it('uses the seed page words for descriptions', async () => {
    const { sources } = await loadRealFeeds();
    const byId = new Map(sources.map((s) => [s.id, s.description]));
    expect(byId.get('regina-holliday')).toBe(
      'A place where art, medicine, social media and pop-culture collide and create a patient voice in health information technology.',
    );
    expect(byId.get('spm-blog')).toBe('A blog from the Society for Participatory Medicine.');
    expect(byId.get('onc-twitter')).toBe('ONC posts regular updates about Health Information Technology on their Twitter account.');
  });

  it('keeps only patient-engagement posts from HIMSS', async () => {
    const himss = (await loadRealFeeds()).sources.find((s) => s.id === 'himss-patient-engagement');
    const keeps = (text: string) => (himss?.include ?? []).some((p) => new RegExp(p, 'i').test(text));
    expect(keeps('Five ways to boost Patient Engagement')).toBe(true);
    expect(keeps('How portals engage patients between visits')).toBe(true);
    expect(keeps('Cybersecurity trends for hospital CIOs')).toBe(false);
  });
});
