/**
 * The filters notice templates use besides LiquidJS's own (SPEC section 5: dates with date-fns
 * formats and time zones, human lists, counts), called directly and through a strict engine.
 */
import { describe, expect, it } from 'vitest';
import { countFilter, dateFilter, humanList } from '../../src/notices/filters.js';
import { createEngine } from '../../src/notices/render.js';

const discovered = '2026-03-02T08:30:00Z';

describe('date', () => {
  it('formats with date-fns tokens in the configured time zone', () => {
    expect(dateFilter('UTC')(discovered, 'd MMMM yyyy, HH:mm')).toBe('2 March 2026, 08:30');
    expect(dateFilter('Europe/Berlin')(discovered, 'd MMMM yyyy, HH:mm')).toBe('2 March 2026, 09:30');
    expect(dateFilter('America/New_York')(discovered, "HH:mm 'UTC'xxx")).toBe('03:30 UTC-05:00');
  });

  it('follows summer time and moves the date when the zone crosses midnight', () => {
    expect(dateFilter('Europe/Berlin')('2026-07-02T08:30:00Z', "HH:mm 'UTC'xxx")).toBe('10:30 UTC+02:00');
    expect(dateFilter('Asia/Tokyo')('2026-03-02T20:00:00Z', 'EEEE d MMMM')).toBe('Tuesday 3 March');
  });

  it('takes a time zone argument over the configured one', () => {
    expect(dateFilter('UTC')(discovered, 'HH:mm', 'Europe/Berlin')).toBe('09:30');
  });

  it('has a default pattern that names the day, time and zone', () => {
    expect(dateFilter('Europe/Berlin')(discovered)).toBe('2 March 2026 at 09:30 GMT+1');
  });

  it('accepts Date objects and epoch milliseconds as well as RFC 3339 text', () => {
    expect(dateFilter('UTC')(new Date(discovered), 'yyyy-MM-dd HH:mm')).toBe('2026-03-02 08:30');
    expect(dateFilter('UTC')(Date.parse(discovered), 'yyyy-MM-dd HH:mm')).toBe('2026-03-02 08:30');
  });

  it('refuses what is not a date, rather than printing a blank into a notice', () => {
    expect(() => dateFilter('UTC')('next Tuesday', 'd MMMM')).toThrow('date: "next Tuesday" is not a date');
    expect(() => dateFilter('UTC')(undefined, 'd MMMM')).toThrow('is not a date');
    expect(() => dateFilter('UTC')(true, 'd MMMM')).toThrow('is not a date');
  });
});

describe('human_list', () => {
  it('joins items the way a sentence does', () => {
    expect(humanList([])).toBe('');
    expect(humanList(['names'])).toBe('names');
    expect(humanList(['names', 'emails'])).toBe('names and emails');
    expect(humanList(['names', 'emails', 'messages'])).toBe('names, emails and messages');
  });

  it('takes another conjunction', () => {
    expect(humanList(['email', 'in-app message', 'letter'], 'or')).toBe('email, in-app message or letter');
  });

  it('treats a single value as a list of one, and nothing as an empty list', () => {
    expect(humanList('names')).toBe('names');
    expect(humanList(undefined)).toBe('');
    expect(humanList(null)).toBe('');
  });
});

describe('count', () => {
  it('puts the number before the word, singular for one', () => {
    expect(countFilter(1, 'member')).toBe('1 member');
    expect(countFilter(0, 'member')).toBe('0 members');
    expect(countFilter(2, 'member')).toBe('2 members');
  });

  it('groups thousands, and reads numbers given as text', () => {
    expect(countFilter(1240, 'member')).toBe('1,240 members');
    expect(countFilter(1234567, 'record')).toBe('1,234,567 records');
    expect(countFilter('37', 'person', 'people')).toBe('37 people');
  });

  it('takes an irregular plural', () => {
    expect(countFilter(1, 'person', 'people')).toBe('1 person');
    expect(countFilter(143, 'person', 'people')).toBe('143 people');
  });
});

describe('in a template', () => {
  it('are registered on the strict engine under the names templates use', async () => {
    const engine = createEngine([], 'Europe/Berlin');
    const text = await engine.parseAndRender(
      '{{ at | date: "d MMMM yyyy, HH:mm" }}; {{ at | date: "HH:mm", "UTC" }}; {{ data | human_list }}; {{ n | count: "person", "people" }}',
      { at: discovered, data: ['names', 'emails', 'messages'], n: 1240 },
    );
    expect(text).toBe('2 March 2026, 09:30; 08:30; names, emails and messages; 1,240 people');
  });
});

describe('approximately and sentence (issue 14)', () => {
  it('says an estimate in words, but not "about 1 person"', async () => {
    const { approximately } = await import('../../src/notices/filters.js');
    expect(approximately(1240, 'person', 'people')).toBe('approximately 1,240 people');
    expect(approximately(1, 'person', 'people')).toBe('1 person');
    expect(approximately(0, 'record')).toBe('no records');
    expect(approximately(95, 'person', 'people', 'about')).toBe('about 95 people');
  });

  it('ends an answer as a sentence, so the next one does not run on from it', async () => {
    const { sentence } = await import('../../src/notices/filters.js');
    expect(sentence('We will run a review by 15 December')).toBe('We will run a review by 15 December.');
    expect(sentence('Done!')).toBe('Done!');
    expect(sentence('as agreed (see the terms)')).toBe('as agreed (see the terms)');
    expect(sentence('  ')).toBe('');
    const engine = createEngine([], 'UTC');
    const out = await engine.parseAndRender('{{ a | sentence }} You can write to us.', { a: 'by 15 December' });
    expect(out).toBe('by 15 December. You can write to us.');
  });
});
