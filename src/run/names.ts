/** Names of people given on the command line (issue 17: `assign`, `handoff`), checked once. */
import { LIMITS } from '../schemas/limits.js';
import { InvalidInput } from '../ui/errors.js';
import { printable } from '../ui/text.js';

/**
 * A person's name as given: trimmed and in NFC, so that the same name typed twice is the same
 * name; one line, not empty, not longer than a text answer, and with no control or invisible
 * formatting character (a zero-width space would make "lee" two people).
 */
export function nameOf(given: string, what: string): string {
  const name = given.trim().normalize('NFC');
  if (name === '' || /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name) || name.length > LIMITS.textAnswerChars) {
    throw new InvalidInput(`${what} must be a name on one line, without control or invisible characters (at most ${LIMITS.textAnswerChars} characters); got ${printable(JSON.stringify(given.slice(0, 80)))}`);
  }
  return name;
}
