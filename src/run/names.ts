/** Names of people given on the command line (issue 17: `assign`, `handoff`), checked once. */
import { LIMITS } from '../schemas/limits.js';
import { InvalidInput } from '../ui/errors.js';

/** A person's name as given: trimmed, one line, not empty, not longer than a text answer. */
export function nameOf(given: string, what: string): string {
  const name = given.trim();
  if (name === '' || /[\n\r]/.test(name) || name.length > LIMITS.textAnswerChars) {
    throw new InvalidInput(`${what} must be a name on one line (at most ${LIMITS.textAnswerChars} characters); got ${JSON.stringify(given.slice(0, 80))}`);
  }
  return name;
}
