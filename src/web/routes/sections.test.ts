import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, type TestPortal } from '../../../test/fixtures/web/portal-fixture.js';
import { SECTIONS } from '../views/sections.js';

let portal: TestPortal;
beforeAll(async () => {
  portal = await startPortal();
});
afterAll(async () => {
  await portal.close();
});

/** Words from the seed page each section must carry. */
const SEED_WORDS: Record<string, Array<string | RegExp>> = {
  '/get-motivated': ['Why should you engage your patients?', 'href="https://www.epatientdave.com/"'],
  '/get-informed': ['financial and political drivers behind the push for patient engagement', 'iHealthBeat'],
  '/what-is-patient-engagement': [
    /Patient engagement refers to a set of tools, activities, and relationships \(by and for\s+both patients and clinicians\) that promote shared decision-making/,
    "e-Patient Dave's definition",
  ],
  '/tools-and-resources': ['eHealth Tools You Can Use', 'href="https://www.healthit.gov/topic/health-it-basics/ehealth-tools-you-can-use"'],
  '/feedback': ['We value your opinions!'],
  '/about': ['About the Portal', '<a href="/sources/regina-holliday">Regina Holliday&#x27;s Medical Advocacy Blog</a>'],
};

describe('the static sections', () => {
  it.each(SECTIONS.map((s) => [s.path, s] as const))('%s renders its template with its heading and the seed text', async (path, section) => {
    const response = await portal.app.inject(path);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(`<title>${section.title.replace("'", '&#x27;')} · Patient Engagement for Care Teams</title>`);
    expect(response.body.match(/<h1>([^<]*)<\/h1>/)?.[1]).toBe(section.title);
    for (const words of SEED_WORDS[path] ?? []) {
      if (typeof words === 'string') expect(response.body).toContain(words);
      else expect(response.body).toMatch(words);
    }
    expect(response.body).toContain(`<a href="${path}" aria-current="page">`);
  });

  it('keeps heading levels in order: one h1, then h2s', async () => {
    for (const section of SECTIONS) {
      const main = (await portal.app.inject(section.path)).body.split('<main')[1]!.split('</main>')[0]!;
      const levels = [...main.matchAll(/<h([1-6])/g)].map((m) => Number(m[1]));
      expect(levels[0], section.path).toBe(1);
      levels.slice(1).forEach((level, i) => expect(level - levels[i]!, section.path).toBeLessThanOrEqual(1));
    }
  });
});

describe('/about lists the contributors the feeds file names', () => {
  it('with their roles, a link where they gave an http(s) address, everything escaped', async () => {
    const withPeople = await startPortal();
    try {
      withPeople.config.site.contributors = [
        { name: 'Ingrid <b>Solberg</b>', role: 'Nurse informaticist', url: 'https://example.org/ingrid' },
        { name: 'Ola Berg' },
        { name: 'Kari', url: 'javascript:alert(1)' },
      ];
      const body = (await withPeople.app.inject('/about')).body;
      expect(body).toContain('<h2 id="contributors">Contributors</h2>');
      expect(body).toContain('<li><a href="https://example.org/ingrid">Ingrid &lt;b&gt;Solberg&lt;/b&gt;</a>, Nurse informaticist</li>');
      expect(body).toContain('<li>Ola Berg</li>');
      expect(body).toContain('<li>Kari</li>');
      expect(body).not.toContain('javascript:');
    } finally {
      await withPeople.close();
    }
  });

  it('says the list is not filled in yet when the file names nobody', async () => {
    expect((await portal.app.inject('/about')).body).toContain('The list of contributors is not filled in yet.');
  });
});
