/**
 * The machine's zone, as times are shown in it when the config names none (issue 9). Guards: an
 * unknown TZ once reached the formatter as "Etc/Unknown" and a finished drill exited 1 with
 * "Invalid time value"; an empty TZ, which the C library reads as UTC, was shown as the zone of
 * /etc/localtime.
 */
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemTimeZone } from '../../src/time/zones.js';

describe('the machine\'s time zone', () => {
  it('is TZ when TZ names a zone, with or without the leading colon', () => {
    expect(systemTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(systemTimeZone(':America/New_York')).toBe('America/New_York');
  });

  it('is UTC for the names of UTC and for an empty TZ, without asking ICU', () => {
    for (const tz of ['UTC', 'Etc/UTC', 'UTC0', 'Zulu', '', ':']) expect(systemTimeZone(tz)).toBe('UTC');
  });

  it('is UTC for a TZ no time-zone database knows, rather than a name that fails later', () => {
    expect(systemTimeZone('Etc/Unknown')).toBe('UTC');
    expect(systemTimeZone('Mars/Olympus_Mons')).toBe('UTC');
  });

  it('without TZ, is the zone /etc/localtime links to', () => {
    let link: string | undefined;
    try {
      link = readlinkSync('/etc/localtime');
    } catch {
      link = undefined;
    }
    const expected = link === undefined ? Intl.DateTimeFormat().resolvedOptions().timeZone : /zoneinfo\/(.+)$/.exec(link)![1]!.replace(/^Etc\/UTC$/, 'UTC');
    expect(systemTimeZone(undefined)).toBe(expected === 'Etc/UTC' ? 'UTC' : expected);
  });
});
