/**
 * Where each deadline's days are counted (issue 9): its own `time_zone` (the zone the regime
 * names, e.g. America/New_York for the SEC), else the organisation's zone from the config, else
 * UTC; and which holidays its business days skip: its `calendar` (data, with its source and the
 * years it covers), the playbook's `holidays` and the config's. Never the machine's zone: the same
 * incident has the same clocks on a laptop in Berlin and in CI in UTC.
 */
import type { Config } from '../config/config.js';
import type { Settings } from '../config/settings.js';
import type { Deadline, Playbook } from '../playbook/types.js';
import { calendarFinder, type Calendar } from './calendars.js';

/** What a business-day count may skip: the holidays, and the years they are known for. */
export interface Holidays {
  readonly dates: ReadonlySet<string>;
  /** The calendar the dates come from and the years it covers; none: every year counts as covered. */
  readonly calendar?: { readonly id: string; readonly from: number; readonly to: number };
}

export interface DeadlineRules {
  zoneOf(deadline: Deadline): string;
  holidaysOf(deadline: Deadline): Holidays;
}

/** The rules of a playbook's deadlines; `calendars` resolves a calendar id (the playbook's load checked it exists). */
export function deadlineRules(playbook: Playbook, config: Config, calendars: (id: string) => Calendar): DeadlineRules {
  const own = [...playbook.holidays, ...config.holidays];
  const plain: Holidays = { dates: new Set(own) };
  const byCalendar = new Map<string, Holidays>();
  return {
    zoneOf: (deadline) => deadline.time_zone ?? config.timezone ?? 'UTC',
    holidaysOf: (deadline) => {
      if (deadline.calendar === undefined) return plain;
      let holidays = byCalendar.get(deadline.calendar);
      if (!holidays) {
        const calendar = calendars(deadline.calendar);
        holidays = { dates: new Set([...calendar.dates, ...own]), calendar: { id: calendar.id, from: calendar.years.from, to: calendar.years.to } };
        byCalendar.set(deadline.calendar, holidays);
      }
      return holidays;
    },
  };
}

/** The rules of a playbook's deadlines under the settings a command runs with. */
export function rulesOf(playbook: Playbook, settings: Settings): DeadlineRules {
  return deadlineRules(playbook, settings.config, calendarFinder(settings.calendarDirs));
}
