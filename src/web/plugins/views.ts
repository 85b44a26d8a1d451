import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyView from '@fastify/view';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import Handlebars from 'handlebars';
import type { SiteSettings } from '../../core/types.js';
import { feedAlternates, navigation, type Alternate, type PageChrome } from '../views/chrome.js';
import { highlightToHtml } from '../views/format.js';

/** One page to render: templates/pages/<template>.hbs inside templates/layouts/main.hbs. */
export interface PageSpec {
  template: string;
  /** The request path, to mark the current navigation item. */
  path: string;
  /** The page's name for <title>; the home page leaves it out and gets the site title alone. */
  title?: string;
  description?: string;
  /** Feed links for <head>; the combined feeds by default. */
  alternates?: Alternate[];
  data?: Record<string, unknown>;
  /** The icons, when the route began reading them beside its own data (app.sourceIcons()); else read here. */
  sourceIcons?: Promise<ReadonlyMap<string, string> | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Renders a page to a string (so a route can cache it); never sends. */
    renderPage(spec: PageSpec): Promise<string>;
    /**
     * Renders templates/partials/<name>.hbs alone, with the same helpers and icons, to markup a page
     * takes as it is (`{{{ }}}`). With `sameAs`, a string that changes whenever `data`'s answer
     * does, the last markup of that partial is given again (and `data` not asked) while `sameAs`
     * and the icons are what they were.
     */
    renderFragment(name: string, data: () => Record<string, unknown>, sameAs?: string, sourceIcons?: Promise<ReadonlyMap<string, string> | undefined>): Promise<string>;
    /**
     * Each source's icon address; undefined when they cannot be read (icons are decoration). A route
     * starts it beside its own queries and hands it to renderPage, a round trip saved on each render.
     */
    sourceIcons(): Promise<ReadonlyMap<string, string> | undefined>;
  }
}

export interface ViewsOptions {
  templatesDir: string;
  getSite: () => SiteSettings;
  now: () => number;
  /** Each source's icon address (the /icons/ route's), for the sourceIcon helper; absent: no icons. */
  iconPaths?: () => Promise<ReadonlyMap<string, string>>;
}

/** Handlebars (its own instance, not the module's global one) over templates/, with our helpers. */
export const viewsPlugin = fp<ViewsOptions>(
  async (app, options) => {
    const handlebars = Handlebars.create();
    registerHelpers(handlebars);
    // @fastify/view adds an onRequest hook giving every reply a fresh `locals` object unless the
    // decorator exists; pages render through app.view (never reply.locals), so no request pays for it.
    app.decorateReply('locals', null);
    await app.register(fastifyView, {
      engine: { handlebars },
      root: options.templatesDir,
      layout: 'layouts/main.hbs',
      // Templates and partials are read once; an operator's edit shows after a restart.
      production: true,
      options: { partials: findPartials(join(options.templatesDir, 'partials'), options.templatesDir) },
    });
    // Icons are decoration: a page (an error page above all) renders without them when they cannot be read.
    app.decorate('sourceIcons', () => options.iconPaths?.().catch(() => undefined) ?? Promise.resolve(undefined));
    app.decorate('renderPage', (spec: PageSpec) => renderPage(app, options, spec));
    // The partials @fastify/view compiled and registered above, called alone; each one's last markup by its key.
    const lastFragments = new Map<string, { key: string; html: string }>();
    app.decorate('renderFragment', async (name: string, data: () => Record<string, unknown>, sameAs?: string, icons?: Promise<ReadonlyMap<string, string> | undefined>) => {
      const partial: unknown = handlebars.partials[name];
      if (typeof partial !== 'function') throw new Error(`views: no partial named ${name}`);
      const sourceIcons = await (icons ?? app.sourceIcons());
      const key = sameAs === undefined ? undefined : JSON.stringify([sameAs, [...(sourceIcons ?? [])]]);
      const last = lastFragments.get(name);
      if (key !== undefined && last?.key === key) return last.html;
      const html = (partial as HandlebarsTemplateDelegate)({ ...data(), sourceIcons });
      if (key !== undefined) lastFragments.set(name, { key, html });
      return html;
    });
  },
  { name: 'portal-views' },
);

async function renderPage(app: FastifyInstance, options: ViewsOptions, spec: PageSpec): Promise<string> {
  const site = options.getSite();
  const chrome: PageChrome = {
    site: { title: site.title, tagline: site.tagline },
    documentTitle: spec.title ? `${spec.title} · ${site.title}` : site.title,
    description: spec.description ?? site.tagline,
    nav: navigation(spec.path),
    alternates: spec.alternates ?? feedAlternates(site.title),
    year: new Date(options.now()).getUTCFullYear(),
  };
  const sourceIcons = await (spec.sourceIcons ?? app.sourceIcons());
  return app.view(`pages/${spec.template}.hbs`, { ...spec.data, chrome, sourceIcons });
}

function registerHelpers(handlebars: typeof Handlebars): void {
  // The one place stored text becomes markup: escaped first, then the search marks become <mark>.
  handlebars.registerHelper('highlight', (text: unknown) => new handlebars.SafeString(highlightToHtml(String(text ?? ''))));
  // A source's icon beside its name, from the portal's own address; decoration, so alt="" (the name is the text).
  handlebars.registerHelper('sourceIcon', (sourceId: unknown, options: Handlebars.HelperOptions) => {
    const icons = (options.data as { root?: { sourceIcons?: ReadonlyMap<string, string> } } | undefined)?.root?.sourceIcons;
    const path = typeof sourceId === 'string' ? icons?.get(sourceId) : undefined;
    if (path === undefined) return '';
    return new handlebars.SafeString(`<img class="source-icon" src="${handlebars.escapeExpression(path)}" alt="" width="16" height="16">`);
  });
}

/** Every .hbs under partials/, named by its path without the extension: 'header', 'content/definition'. */
function findPartials(dir: string, root: string): Record<string, string> {
  const partials: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.hbs')) continue;
    const file = relative(root, join(entry.parentPath, entry.name));
    const name = relative(dir, join(entry.parentPath, entry.name)).slice(0, -'.hbs'.length).split(sep).join('/');
    partials[name] = file;
  }
  return partials;
}
