/**
 * Filters templates use besides LiquidJS's own: dates with date-fns format tokens in a time
 * zone, and lists in words. Registered on the Liquid engine by the renderer.
 */
import { format } from 'date-fns/format';
import { inZone } from '../time/zoned-date.js';
import { groupThousands } from '../ui/text.js';

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/**
 * `{{ answers.discovered_at | date: "d MMMM yyyy, HH:mm zzz" }}`: date-fns format tokens
 * (https://date-fns.org/docs/format), in the configured time zone unless one is given:
 * `| date: "HH:mm", "Europe/Berlin"`. A value that is not a date is an error, not a blank.
 */
export function dateFilter(defaultZone: string) {
  return (value: unknown, pattern = "d MMMM yyyy 'at' HH:mm zzz", timeZone: string = defaultZone): string => {
    const date = toDate(value);
    if (!date) throw new Error(`date: ${JSON.stringify(value)} is not a date`);
    return format(inZone(date, timeZone), pattern);
  };
}

/** ["names", "emails", "messages"] → "names, emails and messages". */
export function humanList(value: unknown, conjunction = 'and'): string {
  const items = (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).map(String);
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** 1 → "1 member", 1200 → "1,200 members": `{{ n | count: "member" }}` (or `count: "person", "people"`). */
export function countFilter(value: unknown, singular: string, plural?: string): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new Error(`count: ${JSON.stringify(value)} is not a number`);
  const word = n === 1 ? singular : plural ?? `${singular}s`;
  return `${groupThousands(n)} ${word}`;
}

/** 18650 → "18,650", without starting Intl (about 10 ms at start-up) for a comma. */
/**
 * An estimate in words: `{{ n | approximately: "person", "people" }}` → "approximately 1,240
 * people", but "1 person" and "no people" where there is nothing to approximate (issue 14: not
 * "about 1 person"). A third argument gives the adverb ("about").
 */
export function approximately(value: unknown, singular: string, plural?: string, adverb = 'approximately'): string {
  const counted = countFilter(value, singular, plural);
  const n = Number(value);
  if (n === 0) return `no ${plural ?? `${singular}s`}`;
  return n === 1 ? counted : `${adverb} ${counted}`;
}

/**
 * An answer as a whole sentence: a final full stop added when it has none, so that the template's
 * next sentence does not run on from it ("… by 15 December We will run" — issue 14).
 */
export function sentence(value: unknown): string {
  const text = String(value ?? '').trim();
  return text === '' || /[.!?…:;"'”’)\]]$/.test(text) ? text : `${text}.`;
}

export { groupThousands };
