/** Deadline clocks and times for people: "2d 3h left", "overdue by 5h 10m", in the chosen zone. */
import { format } from 'date-fns/format';
import { inZone, isUtc } from '../time/zoned-date.js';
import type { DeadlineClock } from './compute.js';
import { printable } from '../ui/text.js';

/** "2d 3h 12m": the largest two units are enough for a clock a responder glances at. */
export function spanInWords(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [days ? `${days}d` : '', hours ? `${hours}h` : '', mins ? `${mins}m` : ''].filter(Boolean);
  if (parts.length === 0) return Math.abs(ms) < 60_000 ? 'under a minute' : '0m';
  return parts.slice(0, days ? 2 : 3).join(' ');
}

/**
 * A time for people, in the display zone, always with its offset so that no one has to guess
 * which zone it is in (issue 9): "Thu 5 Mar 2026 09:30 UTC", "Thu 5 Mar 2026 10:30 CET (UTC+01:00)".
 */
export function displayTime(date: Date, timeZone = 'UTC'): string {
  const zoned = inZone(date, timeZone);
  const time = format(zoned, 'EEE d MMM yyyy HH:mm');
  if (isUtc(timeZone)) return `${time} UTC`;
  const offset = format(zoned, 'xxx');
  const name = zoneName(date, timeZone);
  return offset === '+00:00' && name === 'GMT' ? `${time} GMT (UTC+00:00)` : `${time} ${name} (UTC${offset})`;
}

function zoneName(date: Date, timeZone: string): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/**
 * One line for a deadline's state, with its regime's warning where its facts were not all
 * checked (issue 14: an unconfirmed entry never drives a clock without a visible warning).
 */
export function clockInWords(clock: DeadlineClock, timeZone?: string): string {
  const words = stateInWords(clock, timeZone);
  return clock.status === 'not_applicable' ? words : `${words}${cautionOf(clock)}`;
}

/** " ⚠ UNCONFIRMED: …; check with counsel" or " (check: …)", or nothing. The caution is a regime file's text, shown as printable. */
export function cautionOf(clock: Pick<DeadlineClock, 'confidence' | 'caution'>): string {
  const caution = clock.caution === undefined ? undefined : printable(clock.caution);
  if (clock.confidence === 'unconfirmed') return ` ⚠ UNCONFIRMED: ${caution ?? 'not checked against the law'}; check with counsel before relying on it`;
  return caution ? ` (check: ${caution})` : '';
}

/** Where a clock stands without its due time, for a table that shows the due time beside it (the report). */
export function standingInWords(clock: DeadlineClock): string {
  return stateInWords(clock, undefined, false);
}

function stateInWords(clock: DeadlineClock, timeZone?: string, withDue = true): string {
  const due = withDue && clock.due ? ` (${clock.status === 'running' || clock.status === 'met' ? '' : 'was '}due ${displayTime(clock.due, timeZone)})` : '';
  const margin = clock.margin_ms ?? 0;
  switch (clock.status) {
    case 'not_applicable':
      return 'does not apply';
    case 'not_started':
      return 'not started';
    case 'running':
      return `${spanInWords(margin)} left${due}`;
    case 'overdue':
      return `OVERDUE by ${spanInWords(margin)}${due}`;
    case 'met':
      return `met ${spanInWords(margin)} before the deadline${due}`;
    case 'met_late':
      return `met LATE by ${spanInWords(margin)}${due}`;
    case 'unknown':
      return `CANNOT BE COMPUTED: ${clock.problem ?? 'unknown'}`;
  }
}
