// Feed dates: RFC 822 (RSS), W3C-DTF / ISO 8601 (Atom, Dublin Core) and what feeds write instead.
// Every parser returns milliseconds since the epoch or undefined; a date without a zone is UTC.

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** RFC 822 zone names (and the US ones feeds use) in minutes east of UTC. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, bst: 60, cet: 60, cest: 120, eet: 120, eest: 180,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nzst: 720, nzdt: 780, jst: 540,
};

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  fraction?: string;
  offsetMinutes: number;
}

/** Builds the instant, refusing fields out of range (Feb 30, hour 25) rather than rolling over. */
function toMillis(p: DateParts): number | undefined {
  const hour = p.hour ?? 0;
  const minute = p.minute ?? 0;
  const second = Math.min(p.second ?? 0, 59); // a leap second reads as :59
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31) return undefined;
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0))) return undefined;
  const ms = p.fraction ? Math.round(Number(`0.${p.fraction}`) * 1000) : 0;
  const utc = Date.UTC(p.year, p.month - 1, p.day, hour, minute, second, ms);
  if (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDate() !== p.day) return undefined;
  const value = utc - p.offsetMinutes * 60_000;
  return Number.isFinite(value) ? value : undefined;
}

/** "+05:30", "-0800", "Z", "EST", "+05" → minutes east of UTC; undefined when unknown. */
export function parseZone(zone: string | undefined): number | undefined {
  if (!zone) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  return ZONES[zone.toLowerCase()];
}

const ISO =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2})(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i;

/** W3C-DTF and ISO 8601: "2003-12-31T10:14:55Z", "2003-12-31", "2003-12", "20031231T101455-0800". */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const offset = parseZone(m[8]);
  if (offset === undefined) return undefined;
  return toMillis({
    year: Number(m[1]),
    month: Number(m[2] ?? 1),
    day: Number(m[3] ?? 1),
    hour: m[4] === undefined ? undefined : Number(m[4]),
    minute: m[5] === undefined ? undefined : Number(m[5]),
    second: m[6] === undefined ? undefined : Number(m[6]),
    fraction: m[7],
    offsetMinutes: offset,
  });
}

const RFC822 =
  /^(?:[a-z]+,?\s*)?(\d{1,2})[\s-]+([a-z]{3})[a-z]*\.?[\s-]+(\d{2,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([a-z]+|[+-]\d{2}:?\d{2})?$/i;

/** RFC 822 / 2822: "Sat, 07 Sep 2002 00:00:01 GMT", "7 Sep 02 00:00 -0500", "07-Sep-2002". */
export function parseRfc822Date(text: string): number | undefined {
  const m = RFC822.exec(text);
  if (!m) return undefined;
  const month = MONTHS[m[2]!.toLowerCase()];
  const offset = parseZone(m[7]);
  if (month === undefined || offset === undefined) return undefined;
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900; // some generators wrote years since 1900
  return toMillis({
    year,
    month,
    day: Number(m[1]),
    hour: m[4] === undefined ? undefined : Number(m[4]),
    minute: m[5] === undefined ? undefined : Number(m[5]),
    second: m[6] === undefined ? undefined : Number(m[6]),
    offsetMinutes: offset,
  });
}

const MAX_DATE_LENGTH = 100;

/** Whatever a feed put in a date element, or undefined when it is not a date we can trust. */
export function parseFeedDate(raw: string | undefined): number | undefined {
  const text = raw?.trim().replace(/\s+/g, ' ');
  // No date is written in more than a few dozen characters; longer text is something else.
  if (!text || text.length > MAX_DATE_LENGTH) return undefined;
  // A text in one of the two standard shapes stands or falls by it: "2003-02-30" must not reach
  // Date.parse, which would roll it over to March.
  const value = ISO.test(text) ? parseIsoDate(text) : RFC822.test(text) ? parseRfc822Date(text) : parseLooseDate(text);
  // Years before 1970 or past 9999 are typos or placeholders, not publication dates.
  if (value === undefined || value < 0 || value > 253402300799999) return undefined;
  return value;
}

/**
 * Last resort for forms like "Tue Sep 07 2002 00:00:01 GMT+0000" or "September 7, 2002".
 * A text without a zone is read as UTC, so the host's time zone never leaks in.
 */
function parseLooseDate(text: string): number | undefined {
  const hasZone = /(?:\b(?:gmt|utc|ut|z)\b|[+-]\d{2}:?\d{2}\b|\b[ecmp][sd]t\b)/i.test(text);
  const value = Date.parse(hasZone ? text : `${text} UTC`);
  return Number.isFinite(value) ? value : undefined;
}
