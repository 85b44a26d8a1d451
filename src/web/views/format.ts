// Pure helpers that turn stored values into what the templates show. No Handlebars here.
import { HIGHLIGHT_END, HIGHLIGHT_START } from '../../store/index.js';

export interface ShownTime {
  /** For the datetime attribute of <time>. */
  iso: string;
  /** How a person reads it, in the site's time zone: "June 1, 2026, 7:00 AM CDT". */
  readable: string;
}

/** Makes a formatter for one time zone; an unknown zone falls back to UTC rather than failing the page. */
export function timeFormatter(timeZone: string): (ms: number) => ShownTime {
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
  } catch {
    format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' });
  }
  return (ms) => {
    const date = new Date(ms);
    return { iso: date.toISOString(), readable: format.format(date) };
  };
}

/** Instants remembered per zone: a poll adds a few entries, the rest of a re-rendered page is the same. */
export const REMEMBERED_TIMES = 1024;

/**
 * One formatter per time zone, made on first use and kept (building an Intl.DateTimeFormat is dear,
 * and the site's zone changes only on a reload). Each remembers up to `rememberedTimes` instants it
 * formatted; past that it forgets them all and starts again.
 */
export class TimeFormats {
  private readonly byZone = new Map<string, (ms: number) => ShownTime>();

  constructor(private readonly rememberedTimes = REMEMBERED_TIMES) {}

  for(timeZone: string): (ms: number) => ShownTime {
    let format = this.byZone.get(timeZone);
    if (format === undefined) {
      format = remembering(timeFormatter(timeZone), this.rememberedTimes);
      this.byZone.set(timeZone, format);
    }
    return format;
  }
}

function remembering(format: (ms: number) => ShownTime, limit: number): (ms: number) => ShownTime {
  const shown = new Map<number, ShownTime>();
  return (ms) => {
    let time = shown.get(ms);
    if (time === undefined) {
      time = Object.freeze(format(ms));
      if (shown.size >= limit) shown.clear();
      shown.set(ms, time);
    }
    return time;
  };
}

/** Only http(s) URLs become links: a feed's `javascript:` or `data:` link is never clickable. */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c] ?? c);
}

const MARKED = new RegExp(`${HIGHLIGHT_START}([^${HIGHLIGHT_START}${HIGHLIGHT_END}]*)${HIGHLIGHT_END}`, 'g');
const STRAY_MARKS = new RegExp(`[${HIGHLIGHT_START}${HIGHLIGHT_END}]`, 'g');

/**
 * Search highlights as HTML: the text is escaped first, then each marked run becomes <mark>; any
 * unpaired marker (a feed that happened to contain one) is dropped so the tags always balance.
 */
export function highlightToHtml(marked: string): string {
  return escapeHtml(marked).replace(MARKED, '<mark>$1</mark>').replace(STRAY_MARKS, '');
}
