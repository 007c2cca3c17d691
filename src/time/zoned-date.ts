/**
 * A date seen in a time zone, for date-fns's format. @date-fns/tz (and @date-fns/utc) create
 * Intl formatters when they are loaded, which starts ICU: about 10 ms, a tenth of a scripted
 * run. UTC, the default, needs none of that, so UTC is served by the small view below and
 * @date-fns/tz is loaded only for other zones.
 */
import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Whether `name` is an IANA time zone this Node knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The machine's time zone, as the C library and ICU find it (TZ, else /etc/localtime), without
 * starting ICU when that can be helped: Intl's first use costs about 15 ms of a 100 ms run, and a
 * server or CI machine is usually on UTC, which needs no time-zone database at all.
 */
export function systemTimeZone(): string {
  const tz = process.env.TZ?.replace(/^:/, '');
  if (tz !== undefined && tz !== '') {
    if (/^(?:Etc\/)?(?:UTC|UCT|Zulu|Universal)$|^UTC0$/.test(tz)) return 'UTC';
  } else {
    try {
      const link = readlinkSync('/etc/localtime');
      const name = /zoneinfo\/(?:posix\/|right\/)?(.+)$/.exec(link)?.[1];
      if (name !== undefined && /^(?:Etc\/)?(?:UTC|UCT|Zulu|Universal)$/.test(name)) return 'UTC';
      // Another zone needs ICU to be shown in anyway; a name it does not know goes to ICU too.
      if (name !== undefined && isTimeZone(name)) return name;
    } catch {
      // Not a link (a copied file), or no such file: ask ICU.
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isUtc(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

/**
 * The instant of a wall-clock time in `timeZone` (month 1-12). A time that does not exist there
 * (skipped by a change to summer time) moves forward with the clock, as TZDate does.
 */
export function fromWall(year: number, month: number, day: number, hour: number, minute: number, second: number, timeZone: string): Date {
  if (isUtc(timeZone)) return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const { TZDate } = require('@date-fns/tz') as typeof import('@date-fns/tz');
  return new Date(new TZDate(year, month - 1, day, hour, minute, second, timeZone).getTime());
}

export function inZone(date: Date, timeZone: string): Date {
  if (isUtc(timeZone)) return new UtcDate(date.getTime());
  const { TZDate } = require('@date-fns/tz') as typeof import('@date-fns/tz');
  return new TZDate(date.getTime(), timeZone);
}

/**
 * A Date whose local fields are its UTC fields and whose offset is zero: what date-fns reads
 * and writes through the local getters and setters (it builds new dates with `new
 * date.constructor(value)`, so its arithmetic stays in UTC too).
 */
export class UtcDate extends Date {
  override getTimezoneOffset(): number {
    return 0;
  }
}

const FIELDS = ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds'] as const;
const utc = UtcDate.prototype as unknown as Record<string, unknown>;
const base = Date.prototype as unknown as Record<string, unknown>;
for (const field of FIELDS) {
  utc[`get${field}`] = base[`getUTC${field}`];
  if (field !== 'Day') utc[`set${field}`] = base[`setUTC${field}`];
}
