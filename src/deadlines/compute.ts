/**
 * Deadline arithmetic. Durations count to the minute through weekends (GDPR Art. 33(1): the 72
 * hours are not working hours, and the EU rule that rolls periods to the next working day does
 * not cover periods counted in hours). `{ business_days: N }` skips Saturdays, Sundays and the
 * listed holidays (SEC Form 8-K Item 1.05: four business days).
 */
import { add } from 'date-fns/add';
import { addDays } from 'date-fns/addDays';
import type { Deadline, Within } from '../playbook/types.js';
import { evaluate } from '../playbook/conditions.js';
import type { IsoDuration } from './duration.js';
import { parseDuration } from './duration.js';

export function addDuration(from: Date, duration: IsoDuration): Date {
  const whole = add(from, {
    years: duration.years,
    months: duration.months,
    weeks: duration.weeks,
    days: duration.days,
    hours: duration.hours,
    minutes: duration.minutes,
  });
  return new Date(whole.getTime() + Math.round(duration.seconds * 1000));
}

/**
 * N business days after `from`, at the same time of day. Weekends and holidays are judged on
 * the UTC calendar date; holidays are `yyyy-MM-dd`.
 */
export function addBusinessDays(from: Date, days: number, holidays: ReadonlySet<string>): Date {
  let current = from;
  let left = days;
  while (left > 0) {
    current = addDays(current, 1);
    const weekday = current.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    if (holidays.has(current.toISOString().slice(0, 10))) continue;
    left -= 1;
  }
  return current;
}

/** The dates business-day deadlines skip: the playbook's holidays and the config's. */
export function holidaysOf(playbook: { readonly holidays: readonly string[] }, config: { readonly holidays: readonly string[] }): ReadonlySet<string> {
  return new Set([...playbook.holidays, ...config.holidays]);
}

export function dueDate(from: Date, within: Within, holidays: ReadonlySet<string>): Date {
  if (typeof within !== 'string') return addBusinessDays(from, within.business_days, holidays);
  const duration = parseDuration(within);
  if (!duration) throw new Error(`invalid duration ${within}`);
  return addDuration(from, duration);
}

export type DeadlineStatus = 'not_applicable' | 'not_started' | 'running' | 'overdue' | 'met' | 'met_late';

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
}

export interface DeadlineInputs {
  readonly answers: ReadonlyMap<string, unknown>;
  readonly openedAt: Date;
  readonly now: Date;
  readonly holidays: ReadonlySet<string>;
}

/** Where a deadline stands, from the answers alone (replayed from the log). */
export function deadlineClock(deadline: Deadline, inputs: DeadlineInputs): DeadlineClock {
  const base = { id: deadline.id, title: deadline.title, ...(deadline.source ? { source: deadline.source } : {}) };
  if (deadline.when && !evaluate(deadline.when, inputs.answers)) return { ...base, status: 'not_applicable' };
  const start = deadline.from === 'opened' ? inputs.openedAt : asDate(inputs.answers.get(deadline.from));
  if (!start) return { ...base, status: 'not_started' };
  const due = dueDate(start, deadline.within, inputs.holidays);
  const met = asDate(inputs.answers.get(deadline.met_by));
  if (met) {
    const margin = due.getTime() - met.getTime();
    return { ...base, status: margin >= 0 ? 'met' : 'met_late', started_at: start, due, met_at: met, margin_ms: margin };
  }
  const margin = due.getTime() - inputs.now.getTime();
  return { ...base, status: margin >= 0 ? 'running' : 'overdue', started_at: start, due, margin_ms: margin };
}

function asDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}
