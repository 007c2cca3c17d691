/** Help text wrapped at word boundaries (issue 10): a terminal breaks long lines mid-word otherwise. */
import { describe, expect, it } from 'vitest';
import { wrapWords } from '../../src/ui/text.js';

describe('wrapWords', () => {
  it('breaks between words within the width, keeps line breaks, and leaves a longer word whole', () => {
    const text = 'Awareness means a reasonable degree of certainty that personal data was exposed.\nSee https://example.org/a-very-long-address-that-does-not-fit-anywhere for more.';
    const wrapped = wrapWords(text, 30);
    for (const line of wrapped.split('\n')) if (!line.includes('https://')) expect(line.length).toBeLessThanOrEqual(30);
    expect(wrapped.split('\n')).toContain('https://example.org/a-very-long-address-that-does-not-fit-anywhere');
    expect(wrapped.replace(/\n/g, ' ')).toBe(text.replace(/\n/g, ' '));
    expect(wrapped.split('\n')[0]).toBe('Awareness means a reasonable');
  });
});
