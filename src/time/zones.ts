/**
 * Time-zone names: which ones this Node knows, which mean UTC, and the machine's own. Small and
 * without date code, so that the command line's wiring can name the machine's zone cheaply.
 */
import { readlinkSync } from 'node:fs';

/** Whether `name` is an IANA time zone this Node knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function isUtc(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

const UTC_NAMES = /^(?:Etc\/)?(?:UTC|UCT|Zulu|Universal|GMT|GMT0|Greenwich)$|^UTC0$/;

/**
 * The machine's time zone as the C library finds it: `tz` (the TZ variable; empty means UTC),
 * else the zone /etc/localtime links to; only when neither names one is ICU asked, whose first
 * use costs about 15 ms of a 100 ms run. A server or CI machine is usually on UTC, which needs
 * no time-zone database at all. A zone ICU does not know is taken as UTC (as the C library
 * does), never passed on to fail later.
 */
export function systemTimeZone(tz: string | undefined): string {
  let name: string | undefined;
  if (tz !== undefined) {
    name = tz.replace(/^:/, '');
    if (name === '') return 'UTC';
  } else {
    try {
      name = /zoneinfo\/(?:posix\/|right\/)?(.+)$/.exec(readlinkSync('/etc/localtime'))?.[1];
    } catch {
      // Not a link (a copied file), or no such file: ICU finds it.
    }
  }
  if (name !== undefined && UTC_NAMES.test(name)) return 'UTC';
  const found = name !== undefined && isTimeZone(name) ? name : Intl.DateTimeFormat().resolvedOptions().timeZone;
  return found && found !== 'Etc/Unknown' && isTimeZone(found) ? found : 'UTC';
}
