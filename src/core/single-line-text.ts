// Characters a feed can put in a title to disguise it, and that single-line text never needs.

/**
 * Bidi controls (ALM U+061C, LRM/RLM U+200E-U+200F, the embeddings and overrides U+202A-U+202E,
 * the isolates U+2066-U+2069): an override can make "exe.txt" read "txt.exe" and reorder the
 * text around it. Noncharacters (U+FDD0-U+FDEF, and the last two code points of every plane):
 * reserved for a program's internal use, never meant for interchange.
 */
const BIDI_CONTROLS_AND_NONCHARACTERS =
  /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFDD0-\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu;

/** `text` without bidi controls and noncharacters (titles, authors, categories: text on one line). */
export function stripBidiControlsAndNoncharacters(text: string): string {
  return text.replace(BIDI_CONTROLS_AND_NONCHARACTERS, '');
}
