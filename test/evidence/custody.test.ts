/**
 * Custody as the log, status and the report put it in words (issue 16, item 6): read back from
 * an entry tolerantly, and a time that is not one (an entry written by hand) shown as written
 * rather than breaking the page that shows it.
 */
import { describe, expect, it } from 'vitest';
import { custodyInWords, custodyOf } from '../../src/evidence/custody.js';

describe('custody in words', () => {
  it('says what, by whom, when, from where and how, each only when stated', () => {
    const full = custodyOf({ custody: { collected_by: 'dana', collected_at: '2026-03-02T08:00:00Z', from: 'web-01', how: 'scp', description: 'Access log' } })!;
    expect(custodyInWords(full, (iso) => `[${new Date(iso).toISOString()}]`)).toBe('"Access log"; collected by dana at [2026-03-02T08:00:00.000Z] from web-01, with scp');
    expect(custodyInWords(custodyOf({ custody: { collected_by: 'dana' } })!)).toBe('collected by dana');
    expect(custodyOf({})).toBeUndefined();
    expect(custodyOf({ custody: ['not', 'custody'] })).toBeUndefined();
  });

  it('shows a collected_at that is not a time as written, without formatting it', () => {
    const odd = custodyOf({ custody: { collected_by: 'dana', collected_at: 'the night before' } })!;
    expect(custodyInWords(odd, (iso) => new Date(iso).toISOString())).toBe('collected by dana at the night before');
  });
});
