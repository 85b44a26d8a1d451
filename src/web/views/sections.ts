// The static sections: their paths, headings and templates (templates/pages/<template>.hbs).

export interface Section {
  path: string;
  /** The page's h1, its <title> and its navigation label. */
  title: string;
  /** A short label for the navigation bar when the title is long. */
  navLabel: string;
  template: string;
  description: string;
}

export const SECTIONS: readonly Section[] = [
  {
    path: '/get-motivated',
    title: 'Get Motivated',
    navLabel: 'Get Motivated',
    template: 'get-motivated',
    description: 'Why should you engage your patients? What engagement changes for patients and care teams.',
  },
  {
    path: '/get-informed',
    title: 'Get Informed',
    navLabel: 'Get Informed',
    template: 'get-informed',
    description: 'The financial and political drivers behind the push for patient engagement.',
  },
  {
    path: '/what-is-patient-engagement',
    title: 'What is patient engagement?',
    navLabel: 'What is it?',
    template: 'what-is-patient-engagement',
    description: 'A definition of patient engagement for care teams.',
  },
  {
    path: '/tools-and-resources',
    title: 'Tools and Resources',
    navLabel: 'Tools',
    template: 'tools-and-resources',
    description: 'Tools and resources that help patients and clinicians work together.',
  },
  {
    path: '/feedback',
    title: 'Feedback',
    navLabel: 'Feedback',
    template: 'feedback',
    description: 'Tell us how the portal could serve you better.',
  },
  {
    path: '/about',
    title: 'About the Portal',
    navLabel: 'About',
    template: 'about',
    description: 'What this portal is, how it works, and who it is for.',
  },
];
