/**
 * A date seen in a time zone, for date-fns's format. @date-fns/tz (and @date-fns/utc) create
 * Intl formatters when they are loaded, which starts ICU: about 10 ms, a tenth of a scripted
 * run. UTC, the default, needs none of that, so UTC is served by the small view below and
 * @date-fns/tz is loaded only for other zones.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export { isTimeZone, isUtc } from './zones.js';
import { isUtc } from './zones.js';

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
