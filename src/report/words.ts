/** The words the report's three forms (HTML, Markdown, JSON) share, so that they say the same. */
import type { Cause } from '../playbook/types.js';
import type { RecordField } from '../schemas/playbook.js';

export { standingInWords as clockStatusInWords } from '../deadlines/format.js';
export { progressStateInWords as incidentStateInWords } from '../run/progress.js';

export function causeInWords(cause: Cause): string {
  return {
    platform: 'the platform failed (a bug, a misconfiguration or a breach at the provider)',
    member: 'a member leaked what they could access',
    other: 'another cause',
  }[cause];
}

/** The register's facts the summary shows, in its order. */
export const SUMMARY_FIELDS: readonly RecordField[] = ['nature', 'status', 'categories', 'people', 'records', 'discovered', 'contained'];

/** Art. 33(3)'s four elements and the facts that answer each. */
export const ART33_ROWS: readonly (readonly [string, readonly RecordField[]])[] = [
  ['(a)', ['nature', 'categories', 'people', 'records']],
  ['(b)', ['contact_point']],
  ['(c)', ['consequences']],
  ['(d)', ['measures']],
];

/** How someone who was not there checks the log the report was written from. */
export function independentCheck(id: string, head: string | null): string {
  return (
    `With a copy of the incident directory (its evidence.jsonl and attachments/), run the command below: it recomputes the SHA-256 chain of every entry, ` +
    `re-hashes every attached file, and with --head proves that the log still leads to the head printed here (${head ?? 'none'}), so that nothing before it was changed and nothing was cut. ` +
    `Keep this head somewhere the incident's writers cannot change (an email to counsel, a ticket) to make a later rewrite detectable. Incident: ${id}.`
  );
}
