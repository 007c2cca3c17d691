import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { addDays } from 'date-fns/addDays';
import { startOfWeek } from 'date-fns/startOfWeek';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inZone, UtcDate } from '../../src/time/zoned-date.js';

// UtcDate stands in for @date-fns/tz's TZDate(…, 'UTC') to keep Intl out of start-up; the
// package is the oracle: both must print and compute the same for any instant and pattern.
const PATTERNS = ["d MMMM yyyy 'at' HH:mm zzz", 'EEE d MMM yyyy HH:mm', "d MMMM yyyy, HH:mm 'UTC'xxx", 'yyyy-MM-dd HH:mm:ss.SSS', 'T', 'I R w do EEEE a', 'LLLL QQQ'];

describe('dates in UTC without the time-zone database', () => {
  it('formats every pattern the way TZDate in UTC does, whatever the local zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }), fc.constantFrom(...PATTERNS), (ms, pattern) => {
        expect(format(new UtcDate(ms), pattern)).toBe(format(new TZDate(ms, 'UTC'), pattern));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps date-fns arithmetic in UTC', () => {
    const sunday = Date.UTC(2026, 2, 1, 23, 30);
    expect(startOfWeek(new UtcDate(sunday)).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(addDays(new UtcDate(sunday), 7).toISOString()).toBe('2026-03-08T23:30:00.000Z');
  });

  it('uses TZDate for other zones', () => {
    const date = inZone(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin');
    expect(format(date, 'HH:mm')).toBe('01:30');
    expect(format(inZone(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin'), 'HH:mm')).toBe('03:30');
  });
});
