import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/time/timestamp.js';

describe('RFC 3339 timestamps', () => {
  it('reads timestamps with an offset, to the instant', () => {
    expect(parseTimestamp('2026-03-02T08:30:00Z')?.toISOString()).toBe('2026-03-02T08:30:00.000Z');
    expect(parseTimestamp('2026-03-02T09:30:00+01:00')?.toISOString()).toBe('2026-03-02T08:30:00.000Z');
    expect(parseTimestamp('2026-03-02T08:30Z')?.toISOString()).toBe('2026-03-02T08:30:00.000Z');
    expect(parseTimestamp('2028-02-29T12:00:00.250Z')?.toISOString()).toBe('2028-02-29T12:00:00.250Z');
  });
  it('refuses dates that do not exist, rather than rolling them over', () => {
    for (const text of ['2026-02-31T09:00:00Z', '2026-02-29T09:00:00Z', '2026-13-01T09:00:00Z', '2026-03-02T24:00:00Z', '2026-03-02T08:60:00Z', '2026-03-02T08:30:00+25:00']) {
      expect(parseTimestamp(text), text).toBeUndefined();
    }
  });
  it('refuses timestamps without an offset and other forms', () => {
    for (const text of ['2026-03-02T08:30:00', '2026-03-02', 'yesterday', '1772440200000', '']) expect(parseTimestamp(text), text).toBeUndefined();
  });
});
