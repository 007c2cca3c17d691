/**
 * Deadline arithmetic, the same on every machine whatever its time zone (issue 9): instants are
 * UTC; a period in hours, minutes or seconds is exact elapsed time (GDPR Art. 33(1): the 72 hours
 * count weekends and nights, to the minute); a period in days, weeks, months or years moves the
 * calendar date in the deadline's zone and keeps the wall-clock time (30 days across a change to
 * summer time is 30 calendar days, not 720 hours); business days are counted on that zone's
 * calendar, skipping Saturdays, Sundays and the holidays of the deadline's calendar (SEC Form 8-K
 * Item 1.05: four business days, New York), and past the years a calendar covers nothing is
 * computed rather than guessed.
 */
import { add } from 'date-fns/add';
import { addDays } from 'date-fns/addDays';
import { evaluate } from '../playbook/conditions.js';
import type { Deadline, Within } from '../playbook/types.js';
import type { IsoDuration } from '../time/duration.js';
import { parseDuration } from '../time/duration.js';
import type { DeadlineRules, Holidays } from './rules.js';
import { inZone } from '../time/zoned-date.js';

/** `from` plus `duration`, the calendar parts counted in `zone` (UTC unless said). */
export function addDuration(from: Date, duration: IsoDuration, zone = 'UTC'): Date {
  const calendar = add(inZone(from, zone), { years: duration.years, months: duration.months, weeks: duration.weeks, days: duration.days });
  const exact = ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000;
  return new Date(calendar.getTime() + Math.round(exact));
}

/** A deadline that cannot be computed, and why (said in status, drills and reports). */
export interface CannotCompute {
  readonly problem: string;
}

/**
 * N business days after `from`, at the same wall-clock time in `zone`: each day that is not a
 * Saturday, a Sunday or a holiday in that zone counts one.
 */
export function addBusinessDays(from: Date, days: number, zone: string, holidays: Holidays): Date | CannotCompute {
  let current = inZone(from, zone);
  const covered = holidays.calendar;
  for (let left = days; left > 0; ) {
    current = addDays(current, 1);
    const weekday = current.getDay();
    if (weekday === 0 || weekday === 6) continue;
    const year = current.getFullYear();
    if (covered && (year < covered.from || year > covered.to)) {
      return {
        problem: `its business days run into ${year}, and the holiday calendar ${covered.id} covers ${covered.from} to ${covered.to} only; add that year's holidays to it`,
      };
    }
    if (holidays.dates.has(dateKey(current))) continue;
    left -= 1;
  }
  return new Date(current.getTime());
}

/** yyyy-MM-dd of a zoned date, as holiday lists write it. */
function dateKey(date: Date): string {
  const m = date.getMonth() + 1;
  const d = date.getDate();
  return `${date.getFullYear()}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function dueDate(from: Date, within: Within, zone: string, holidays: Holidays): Date | CannotCompute {
  if (typeof within !== 'string') return addBusinessDays(from, within.business_days, zone, holidays);
  const duration = parseDuration(within);
  if (!duration) throw new Error(`invalid duration ${within}`);
  return addDuration(from, duration, zone);
}

export type DeadlineStatus = 'not_applicable' | 'not_started' | 'running' | 'overdue' | 'met' | 'met_late' | 'unknown';

export interface DeadlineClock {
  readonly id: string;
  readonly title: string;
  readonly source?: string;
  readonly status: DeadlineStatus;
  readonly started_at?: Date;
  readonly due?: Date;
  readonly met_at?: Date;
  /** Milliseconds: positive = time left (or to spare when met), negative = late. */
  readonly margin_ms?: number;
  /** Why it cannot be computed (status `unknown`). */
  readonly problem?: string;
  /** From its regime (issue 14): how far its facts were checked, when not confirmed, and what to check. */
  readonly confidence?: 'partial' | 'unconfirmed';
  readonly caution?: string;
  /** The regime it comes from, if any. */
  readonly regime?: string;
}

export interface DeadlineInputs {
  readonly answers: ReadonlyMap<string, unknown>;
  readonly openedAt: Date;
  readonly now: Date;
  readonly rules: DeadlineRules;
}

/** Where a deadline stands, from the answers alone (replayed from the log). */
export function deadlineClock(deadline: Deadline, inputs: DeadlineInputs): DeadlineClock {
  const base = {
    id: deadline.id,
    title: deadline.title,
    ...(deadline.source ? { source: deadline.source } : {}),
    ...(deadline.confidence && deadline.confidence !== 'confirmed' ? { confidence: deadline.confidence } : {}),
    ...(deadline.caution ? { caution: deadline.caution } : {}),
    ...(deadline.regime ? { regime: deadline.regime } : {}),
  };
  if (!applies(deadline, inputs.answers)) return { ...base, status: 'not_applicable' };
  const start = startOf(deadline, inputs.answers, inputs.openedAt);
  if (!start) return { ...base, status: 'not_started' };
  const due = dueDate(start, deadline.within, inputs.rules.zoneOf(deadline), inputs.rules.holidaysOf(deadline));
  if (!(due instanceof Date)) return { ...base, status: 'unknown', started_at: start, problem: due.problem };
  const met = asDate(inputs.answers.get(deadline.met_by));
  if (met) {
    const margin = due.getTime() - met.getTime();
    return { ...base, status: margin >= 0 ? 'met' : 'met_late', started_at: start, due, met_at: met, margin_ms: margin };
  }
  const margin = due.getTime() - inputs.now.getTime();
  return { ...base, status: margin >= 0 ? 'running' : 'overdue', started_at: start, due, margin_ms: margin };
}

/** Whether a deadline applies, given the answers so far (its `when`). */
export function applies(deadline: Deadline, answers: ReadonlyMap<string, unknown>): boolean {
  return !deadline.when || evaluate(deadline.when, answers);
}

/** When a deadline's clock started: the opening, or its `from` step's answer; undefined before that. */
export function startOf(deadline: Deadline, answers: ReadonlyMap<string, unknown>, openedAt: Date): Date | undefined {
  return deadline.from === 'opened' ? openedAt : asDate(answers.get(deadline.from));
}

function asDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}
