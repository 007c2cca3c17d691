import { describe, expect, it } from 'vitest';
import { decideColour } from '../../src/ui/colour.js';

describe('deciding colour once', () => {
  const base = { flag: undefined, env: {}, isTTY: true, json: false };
  it('colours a terminal and not a pipe', () => {
    expect(decideColour(base)).toBe(true);
    expect(decideColour({ ...base, isTTY: false })).toBe(false);
  });
  it('NO_COLOR turns it off, FORCE_COLOR on, the flags win over both', () => {
    expect(decideColour({ ...base, env: { NO_COLOR: '1' } })).toBe(false);
    expect(decideColour({ ...base, isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(decideColour({ ...base, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(decideColour({ ...base, flag: false })).toBe(false);
    expect(decideColour({ ...base, isTTY: false, flag: true, env: { NO_COLOR: '1' } })).toBe(true);
  });
  it('--json never colours', () => {
    expect(decideColour({ ...base, flag: true, json: true })).toBe(false);
  });
});
