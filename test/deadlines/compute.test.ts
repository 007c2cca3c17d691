/**
 * Deadline arithmetic (issue 9): hours are elapsed time; days move the date in the deadline's
 * zone; business days are counted on that zone's calendar with its holidays; and nothing is
 * computed past the years a calendar covers. The machine's zone plays no part:
 * test/e2e/time-zones.test.ts runs whole drills under five TZ values.
 */
import { describe, expect, it } from 'vitest';
import { addBusinessDays, addDuration, deadlineClock } from '../../src/deadlines/compute.js';
import { parseDuration } from '../../src/time/duration.js';
import { deadlineRules, type Holidays } from '../../src/deadlines/rules.js';
import { EMPTY_CONFIG } from '../../src/config/config.js';
import type { Deadline, Playbook } from '../../src/playbook/types.js';

const iso = (d: Date | { problem: string }): string => (d instanceof Date ? d.toISOString() : `cannot: ${d.problem}`);
const none: Holidays = { dates: new Set() };
const federal: Holidays = { dates: new Set(['2026-11-26', '2026-12-25', '2030-12-25']), calendar: { id: 'us-federal', from: 2024, to: 2030 } };

describe('periods in hours, minutes and seconds', () => {
  it('are elapsed time, across a change to summer time in any zone', () => {
    // Europe/Berlin moves to summer time on Sunday 29 March 2026 at 02:00.
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe']) {
      expect(addDuration(new Date('2026-03-27T10:17:00Z'), parseDuration('PT72H')!, zone).toISOString(), zone).toBe('2026-03-30T10:17:00.000Z');
    }
  });
});

describe('periods in days', () => {
  it('move the calendar date in the deadline zone and keep the wall-clock time', () => {
    // 10:00 in Berlin on the Saturday (UTC+1) is 10:00 on the Sunday (UTC+2): 23 hours later.
    expect(addDuration(new Date('2026-03-28T09:00:00Z'), parseDuration('P1D')!, 'Europe/Berlin').toISOString()).toBe('2026-03-29T08:00:00.000Z');
    // In UTC the same day is 24 hours.
    expect(addDuration(new Date('2026-03-28T09:00:00Z'), parseDuration('P1D')!, 'UTC').toISOString()).toBe('2026-03-29T09:00:00.000Z');
    // 30 days in Los Angeles from 1 March 09:00 PST: 31 March 09:00 PDT (summer time began on 8 March).
    expect(addDuration(new Date('2026-03-01T17:00:00Z'), parseDuration('P30D')!, 'America/Los_Angeles').toISOString()).toBe('2026-03-31T16:00:00.000Z');
  });

  it('add the days first and the hours after, as ISO 8601 reads P1DT12H', () => {
    expect(addDuration(new Date('2026-03-28T09:00:00Z'), parseDuration('P1DT12H')!, 'Europe/Berlin').toISOString()).toBe('2026-03-29T20:00:00.000Z');
  });
});

describe('business days', () => {
  it('skip weekends and the calendar holidays, judged in the deadline zone', () => {
    // Wednesday 25 November 2026, 18:00 in New York; Thursday the 26th is Thanksgiving.
    expect(iso(addBusinessDays(new Date('2026-11-25T23:00:00Z'), 4, 'America/New_York', federal))).toBe('2026-12-02T23:00:00.000Z');
    // Friday 6 March 2026, 22:00 in New York is already Saturday in UTC. Counted in New York: Mon, Tue, Wed, Thu.
    expect(iso(addBusinessDays(new Date('2026-03-07T03:00:00Z'), 4, 'America/New_York', none))).toBe('2026-03-13T02:00:00.000Z');
    // Counted in UTC from Saturday 03:00: Mon, Tue, Wed, Thu at 03:00 UTC.
    expect(iso(addBusinessDays(new Date('2026-03-07T03:00:00Z'), 4, 'UTC', none))).toBe('2026-03-12T03:00:00.000Z');
  });

  it('are not counted past the years the calendar covers: the deadline cannot be computed, rather than guessed', () => {
    expect(iso(addBusinessDays(new Date('2030-12-20T15:00:00Z'), 4, 'America/New_York', federal))).toBe('2030-12-27T15:00:00.000Z');
    expect(iso(addBusinessDays(new Date('2030-12-27T15:00:00Z'), 4, 'America/New_York', federal))).toBe(
      'cannot: its business days run into 2031, and the holiday calendar us-federal covers 2024 to 2030 only; add that year\'s holidays to it',
    );
  });
});

describe('the zone and holidays of a deadline', () => {
  const deadline = (extra: Partial<Deadline>): Deadline => ({ id: 'd', title: 'D', from: 'discovered_at', within: 'P1D', met_by: 'done_at', ...extra });
  const playbook = { holidays: ['2026-03-09'] } as unknown as Playbook;
  const calendars = () => ({ id: 'us-federal', title: 'US', source: 's', years: { from: 2024, to: 2030 }, dates: ['2026-11-26'], file: 'f' });

  it("is its own time_zone, else the config's, else UTC; its holidays are its calendar's and the playbook's and config's", () => {
    expect(deadlineRules(playbook, EMPTY_CONFIG, calendars).zoneOf(deadline({}))).toBe('UTC');
    expect(deadlineRules(playbook, { ...EMPTY_CONFIG, timezone: 'Europe/Paris' }, calendars).zoneOf(deadline({}))).toBe('Europe/Paris');
    expect(deadlineRules(playbook, { ...EMPTY_CONFIG, timezone: 'Europe/Paris' }, calendars).zoneOf(deadline({ time_zone: 'America/New_York' }))).toBe('America/New_York');
    const holidays = deadlineRules(playbook, { ...EMPTY_CONFIG, holidays: ['2026-12-31'] }, calendars).holidaysOf(deadline({ calendar: 'us-federal' }));
    expect([...holidays.dates].sort()).toEqual(['2026-03-09', '2026-11-26', '2026-12-31']);
    expect(holidays.calendar).toEqual({ id: 'us-federal', from: 2024, to: 2030 });
  });

  it('gives a clock that cannot be computed the status unknown, with the reason', () => {
    const rules = deadlineRules(playbook, EMPTY_CONFIG, calendars);
    const clock = deadlineClock(deadline({ within: { business_days: 4 }, calendar: 'us-federal' }), {
      answers: new Map([['discovered_at', '2030-12-30T12:00:00Z']]),
      openedAt: new Date('2030-12-30T12:00:00Z'),
      now: new Date('2030-12-30T13:00:00Z'),
      rules,
    });
    expect(clock).toMatchObject({ status: 'unknown', problem: expect.stringContaining('covers 2024 to 2030 only') });
  });
});
