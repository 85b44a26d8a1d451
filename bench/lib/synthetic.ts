// Deterministic synthetic text and HTML: the same run makes the same bytes, so figures compare.

/** A small seeded PRNG (mulberry32): repeatable, fast, good enough for filler text. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPIC_WORDS = [
  'patient', 'portal', 'care', 'team', 'health', 'record', 'nurse', 'clinic', 'hospital', 'doctor',
  'family', 'engagement', 'access', 'privacy', 'minnesota', 'dakota', 'interoperability', 'telehealth',
  'medication', 'caregiver', 'consent', 'data', 'message', 'visit', 'quality', 'safety', 'rural',
];

/** A vocabulary of pseudo-words: a few topic words, then made-up ones, picked with a Zipf-like skew. */
function makeVocabulary(size: number): string[] {
  const random = rng(7);
  const syllables = ['ka', 'lo', 'mi', 'ren', 'sa', 'tor', 'vi', 'del', 'an', 'po', 'qu', 'est', 'ul', 'bra', 'nim'];
  const words = [...TOPIC_WORDS];
  while (words.length < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i += 1) w += syllables[Math.floor(random() * syllables.length)];
    words.push(w);
  }
  return words;
}

const VOCABULARY = makeVocabulary(20000);

/** One word: low indexes far more often (roughly Zipf), as in real text. */
export function word(random: () => number): string {
  const index = Math.floor(VOCABULARY.length * Math.pow(random(), 3));
  return VOCABULARY[index] as string;
}

export function sentence(random: () => number, words = 8 + Math.floor(random() * 10)): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i += 1) parts.push(word(random));
  const text = parts.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

export function title(random: () => number): string {
  return sentence(random, 4 + Math.floor(random() * 6)).slice(0, -1);
}

/** About `bytes` of article HTML: paragraphs, a link, emphasis, an entity, sometimes a list or image. */
export function articleHtml(random: () => number, bytes = 1000): string {
  let html = '';
  let n = 0;
  while (html.length < bytes) {
    n += 1;
    const text = `${sentence(random)} ${sentence(random)}`;
    if (n % 3 === 0) html += `<p>${text} See <a href="https://example.org/${word(random)}/${n}">the ${word(random)} report</a> &amp; <em>${word(random)}</em>.</p>\n`;
    else if (n % 5 === 0) html += `<ul><li>${sentence(random, 5)}</li><li>${sentence(random, 6)}</li></ul>\n`;
    else if (n % 7 === 0) html += `<p><img src="/images/${n}.png" alt="${word(random)}" width="400"> ${text}</p>\n`;
    else html += `<p>${text}</p>\n`;
  }
  return html;
}

/** The plain text a parser would make of `articleHtml`: tags out, entities decoded, spaces collapsed. */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export function excerptOf(text: string, max = 300): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return `${text.slice(0, cut > 0 ? cut : max)}…`;
}

/** The vocabulary's word at `rank` (0 is the most frequent): to pick search terms of known frequency. */
export function wordAtRank(rank: number): string {
  return VOCABULARY[rank] as string;
}
