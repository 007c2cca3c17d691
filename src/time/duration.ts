/**
 * ISO 8601 durations as used by playbooks (`within: PT72H`) and answers files (`after: PT70H`).
 * date-fns can add a Duration object but does not parse the ISO text form, and the grammar is
 * small enough that a package for it would cost more than it saves.
 */
/** A deadline's period: an ISO 8601 duration (`PT72H`, `P30D`) or a count of business days. */
export type Within = string | { readonly business_days: number };

export interface IsoDuration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

const ISO_DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** The parsed duration, or undefined when `text` is not an ISO 8601 duration. */
export function parseDuration(text: string): IsoDuration | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match) return undefined;
  const n = (i: number): number => (match[i] === undefined ? 0 : Number(match[i]));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

/** The days a duration spans at most (a month as 31, a year as 366): what its bound is checked against. */
export function longestDays(d: IsoDuration): number {
  return d.years * 366 + d.months * 31 + d.weeks * 7 + d.days + d.hours / 24 + d.minutes / 1440 + d.seconds / 86_400;
}

const UNITS: readonly (readonly [keyof IsoDuration, string])[] = [
  ['years', 'year'],
  ['months', 'month'],
  ['weeks', 'week'],
  ['days', 'day'],
  ['hours', 'hour'],
  ['minutes', 'minute'],
  ['seconds', 'second'],
];

/** "72 hours", "30 days", "1 day 12 hours". */
export function durationInWords(duration: IsoDuration): string {
  const parts = UNITS.filter(([unit]) => duration[unit] !== 0).map(
    ([unit, word]) => `${duration[unit]} ${word}${duration[unit] === 1 ? '' : 's'}`,
  );
  return parts.length > 0 ? parts.join(' ') : 'no time';
}

/** A deadline's `within` in words: "72 hours", "4 business days". */
export function withinInWords(within: Within): string {
  if (typeof within !== 'string') {
    return `${within.business_days} business day${within.business_days === 1 ? '' : 's'}`;
  }
  const duration = parseDuration(within);
  return duration ? durationInWords(duration) : within;
}
