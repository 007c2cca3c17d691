import { describe, expect, it } from 'vitest';
import { durationInWords, parseDuration, withinInWords } from '../../src/time/duration.js';

describe('ISO 8601 durations', () => {
  it('parses the forms playbooks use', () => {
    expect(parseDuration('PT72H')).toMatchObject({ hours: 72, days: 0 });
    expect(parseDuration('P30D')).toMatchObject({ days: 30, hours: 0 });
    expect(parseDuration('P1DT12H30M')).toMatchObject({ days: 1, hours: 12, minutes: 30 });
    expect(parseDuration('P2W')).toMatchObject({ weeks: 2 });
  });
  it('refuses what is not a duration', () => {
    for (const text of ['72h', 'P', 'PT', 'P1DT', '3 days', 'PT-1H', '']) expect(parseDuration(text)).toBeUndefined();
  });
  it('puts durations in words', () => {
    expect(durationInWords(parseDuration('P1DT1H')!)).toBe('1 day 1 hour');
    expect(withinInWords('PT72H')).toBe('72 hours');
    expect(withinInWords({ business_days: 4 })).toBe('4 business days');
  });
});
