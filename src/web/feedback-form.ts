// The feedback form (the seed's "Feedback/Usability Survey"): its questions, a strict reading of
// the posted body, validation into a response the store keeps, and the view the template shows
// (values kept, each error tied to its field and listed at the top).
import { createHmac } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { FeedbackResponse } from '../store/index.js';

/** The most a post to /feedback may carry: the longest comment in multi-byte text fits. */
export const FEEDBACK_BODY_LIMIT = 16 * 1024;
export const COMMENT_MAX = 4000;
const OTHER_MAX = 200;
const EMAIL_MAX = 254;

/** The field people never see (hidden by CSS, out of the tab order); a bot that fills it is not stored. */
export const HONEYPOT_FIELD = 'website';

interface Choice {
  value: string;
  label: string;
}

const USEFULNESS: readonly Choice[] = [
  { value: '1', label: '1, not useful' },
  { value: '2', label: '2' },
  { value: '3', label: '3' },
  { value: '4', label: '4' },
  { value: '5', label: '5, very useful' },
];

/** What the visitor came for: the words stored, and what the form says. */
export const PURPOSES: readonly Choice[] = [
  { value: 'news', label: 'The latest posts and conversations' },
  { value: 'learn', label: 'To learn what patient engagement is' },
  { value: 'tools', label: 'Tools and resources for my work' },
  { value: 'sources', label: 'Blogs and organisations to follow' },
  { value: 'other', label: 'Something else' },
];

const FOUND: readonly Choice[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'partly', label: 'Partly' },
  { value: 'no', label: 'No' },
];

/** The form's fields as posted: text, trimmed; absent fields are empty. */
export interface FeedbackValues {
  usefulness: string;
  cameFor: string;
  cameForOther: string;
  found: string;
  comment: string;
  email: string;
}

type Field = keyof FeedbackValues;

/** Where each field's error points: the id of its input (a group's first choice). */
const FIELD_IDS: Readonly<Record<Field, string>> = {
  usefulness: 'feedback-usefulness-1',
  cameFor: 'feedback-came-for-news',
  cameForOther: 'feedback-came-for-other-text',
  found: 'feedback-found-yes',
  comment: 'feedback-comment',
  email: 'feedback-email',
};

/** The order errors are listed in: the form's. */
const FIELD_ORDER: readonly Field[] = ['usefulness', 'cameFor', 'cameForOther', 'found', 'comment', 'email'];

export type FeedbackErrors = Partial<Record<Field, string>>;

export type FormOutcome =
  | { kind: 'valid'; response: FeedbackResponse }
  | { kind: 'invalid'; values: FeedbackValues; errors: FeedbackErrors }
  /** The honeypot was filled: answered like a success, never stored. */
  | { kind: 'trap' };

/**
 * Reads an application/x-www-form-urlencoded body strictly: undefined when its bytes are not
 * UTF-8, a percent escape is malformed or decodes to bytes that are not UTF-8, or a value holds a
 * control character other than tab and line breaks. (URLSearchParams would quietly turn such
 * bytes into U+FFFD, and PostgreSQL cannot store U+0000.) The first of repeated names counts.
 */
export function decodeFormBody(body: Buffer): Map<string, string> | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return undefined;
  }
  const fields = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined || hasControl(name) || hasControl(value)) return undefined;
    if (!fields.has(name)) fields.set(name, value);
  }
  return fields;
}

function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

/** Checks the posted fields: a response to store, the errors to show, or a bot caught. */
export function readFeedback(fields: ReadonlyMap<string, string>): FormOutcome {
  if ((fields.get(HONEYPOT_FIELD) ?? '').trim() !== '') return { kind: 'trap' };
  const text = (name: string) => (fields.get(name) ?? '').trim();
  const values: FeedbackValues = {
    usefulness: text('usefulness'),
    cameFor: text('came_for'),
    cameForOther: text('came_for_other'),
    found: text('found'),
    comment: text('comment').replace(/\r\n?/g, '\n'),
    email: text('email'),
  };
  const errors: FeedbackErrors = {};
  if (!isChoice(USEFULNESS, values.usefulness)) errors.usefulness = 'Choose how useful the portal was, from 1 to 5.';
  if (!isChoice(PURPOSES, values.cameFor)) errors.cameFor = 'Choose what you came to the portal for.';
  if (values.cameFor === 'other' && values.cameForOther === '') errors.cameForOther = 'Say what else you came for.';
  if (values.cameForOther.length > OTHER_MAX) errors.cameForOther = `Say what else you came for in ${OTHER_MAX} characters or fewer.`;
  if (!isChoice(FOUND, values.found)) errors.found = 'Say whether you found what you came for.';
  if (values.comment.length > COMMENT_MAX) {
    errors.comment = `Shorten your comment to ${COMMENT_MAX.toLocaleString('en-US')} characters or fewer (it has ${values.comment.length.toLocaleString('en-US')}).`;
  }
  if (values.email !== '' && !isEmail(values.email)) errors.email = 'Enter an email address like name@example.org, or leave it empty.';
  if (Object.keys(errors).length > 0) return { kind: 'invalid', values, errors };
  return {
    kind: 'valid',
    response: {
      usefulness: Number(values.usefulness),
      cameFor: values.cameFor,
      cameForOther: values.cameFor === 'other' ? values.cameForOther : null,
      found: values.found,
      comment: values.comment,
      email: values.email === '' ? null : values.email,
    },
  };
}

function isChoice(choices: readonly Choice[], value: string): boolean {
  return choices.some((choice) => choice.value === value);
}

/** One @, something either side, a dot in the domain, no spaces: enough to catch a slip. */
function isEmail(text: string): boolean {
  return text.length <= EMAIL_MAX && /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(text);
}

export const EMPTY_VALUES: FeedbackValues = { usefulness: '', cameFor: '', cameForOther: '', found: '', comment: '', email: '' };

interface ChoiceView extends Choice {
  id: string;
  checked: boolean;
}

interface FieldView {
  id: string;
  value: string;
  error: string | undefined;
  /** The id of the error's message, for aria-describedby. */
  errorId: string;
}

export interface FeedbackFormView {
  errors: { href: string; message: string }[];
  usefulness: FieldView & { choices: ChoiceView[] };
  cameFor: FieldView & { choices: ChoiceView[] };
  cameForOther: FieldView;
  found: FieldView & { choices: ChoiceView[] };
  comment: FieldView & { max: number };
  email: FieldView;
}

/** What templates/pages/feedback.hbs shows: the values as posted, each error by its field. */
export function feedbackFormView(values: FeedbackValues = EMPTY_VALUES, errors: FeedbackErrors = {}): FeedbackFormView {
  const field = (name: Field): FieldView => ({ id: FIELD_IDS[name], value: values[name], error: errors[name], errorId: `${FIELD_IDS[name]}-error` });
  const choices = (name: Field, prefix: string, list: readonly Choice[]): ChoiceView[] =>
    list.map((choice) => ({ ...choice, id: `${prefix}-${choice.value}`, checked: values[name] === choice.value }));
  return {
    errors: FIELD_ORDER.flatMap((name) => {
      const message = errors[name];
      return message === undefined ? [] : [{ href: `#${FIELD_IDS[name]}`, message }];
    }),
    usefulness: { ...field('usefulness'), errorId: 'feedback-usefulness-error', choices: choices('usefulness', 'feedback-usefulness', USEFULNESS) },
    cameFor: { ...field('cameFor'), errorId: 'feedback-came-for-error', choices: choices('cameFor', 'feedback-came-for', PURPOSES) },
    cameForOther: field('cameForOther'),
    found: { ...field('found'), errorId: 'feedback-found-error', choices: choices('found', 'feedback-found', FOUND) },
    comment: { ...field('comment'), max: COMMENT_MAX },
    email: field('email'),
  };
}

/**
 * The keyed hash that stands for a visitor's address in the rate limit (HMAC-SHA256): the address
 * itself is never stored. An IPv6 address counts by its /64, the block one household gets.
 */
export function addressHash(secret: string, address: string): string {
  let key = address;
  if (ipaddr.isValid(address)) {
    const parsed = ipaddr.process(address);
    key = parsed.kind() === 'ipv6' ? `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64` : parsed.toString();
  }
  return createHmac('sha256', secret).update(key).digest('hex');
}
