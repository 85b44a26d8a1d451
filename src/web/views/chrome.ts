// What every page's layout needs besides its own content: the site, navigation and feed links.
import type { SiteSettings } from '../../core/types.js';
import { SECTIONS } from './sections.js';

export interface NavItem {
  href: string;
  label: string;
  current: boolean;
}

export interface Alternate {
  href: string;
  type: string;
  title: string;
}

export interface PageChrome {
  site: Pick<SiteSettings, 'title' | 'tagline'>;
  /** The document <title>. */
  documentTitle: string;
  description: string;
  nav: NavItem[];
  alternates: Alternate[];
  year: number;
}

const NAV: ReadonlyArray<{ href: string; label: string }> = [
  { href: '/', label: 'Home' },
  { href: '/conversations', label: 'Conversations' },
  ...SECTIONS.map((s) => ({ href: s.path, label: s.navLabel })),
];

export function navigation(currentPath: string): NavItem[] {
  return NAV.map((item) => ({ ...item, current: item.href === currentPath }));
}

/** The combined feeds, or one source's or category's, as <link rel="alternate">. */
export function feedAlternates(siteTitle: string, filter?: { source?: string; category?: string }, label?: string): Alternate[] {
  const params = new URLSearchParams();
  if (filter?.source) params.set('source', filter.source);
  if (filter?.category) params.set('category', filter.category);
  const query = params.size > 0 ? `?${params.toString()}` : '';
  const name = label ?? siteTitle;
  return [
    { href: `/feed.xml${query}`, type: 'application/rss+xml', title: `${name} (RSS)` },
    { href: `/atom.xml${query}`, type: 'application/atom+xml', title: `${name} (Atom)` },
    { href: `/feed.json${query}`, type: 'application/feed+json', title: `${name} (JSON Feed)` },
  ];
}
