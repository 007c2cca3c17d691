/** The words the report's HTML and Markdown share, so that they say the same (the JSON gives the values they are made from). */
import type { Cause } from '../playbook/types.js';
import type { BoardStep, Progress } from '../run/progress.js';
import { RECORD_FIELDS, type RecordField } from '../schemas/playbook.js';
import { groupThousands } from '../ui/text.js';

import { displayTime } from '../deadlines/format.js';

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

/**
 * An entry's time (RFC 3339 UTC, as the log stores it) as the report shows it, in `zone`. Shown
 * to the minute, so entries of the same minute share one formatting: a 200,000-entry timeline
 * formats a few thousand times, not 200,000 (issue 15, the report of a long log).
 */
export function timeShown(zone: string): (iso: string) => string {
  let minute = '';
  let shown = '';
  return (iso) => {
    const key = iso.slice(0, 16);
    if (key !== minute || !iso.endsWith('Z')) {
      minute = key;
      shown = displayTime(new Date(iso), zone);
    }
    return shown;
  };
}

/** A datetime answer (RFC 3339) shown in the report's zone; any other text as it is. */
export function asTimeText(text: string, zone: string): string {
  const date = new Date(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(date.getTime()) ? displayTime(date, zone) : text;
}

/** The summary's labels of the register's facts. */
export const SUMMARY_LABELS: Readonly<Partial<Record<RecordField, string>>> = {
  nature: 'What happened',
  status: 'Where the leak stands',
  categories: 'Data concerned',
  people: 'People affected (approx.)',
  records: 'Records affected (approx.)',
  discovered: 'Became aware',
  contained: 'Contained',
};

/** An Art. 33(3) element as the table names it: "the likely consequences", without the citation the row already gives. */
export function art33Label(field: RecordField): string {
  return RECORD_FIELDS[field].replace(/ \(Art\. 33\(3\)\(.\)\)$/, '');
}

export function noticeStandingInWords(standing: 'current' | 'replaced' | 'withdrawn'): string {
  return { current: 'current', replaced: 'replaced by a later rendering', withdrawn: 'withdrawn' }[standing];
}

/** A step put off or declined, in the report's words. */
export function markInWords(step: Pick<BoardStep, 'state' | 'required' | 'until'>, zone: string): string {
  if (step.state === 'deferred') return `put off${step.until ? `, remind ${asTimeText(step.until, zone)}` : ''}`;
  return `declined${step.required ? ' (a required step: a gap)' : ''}`;
}

/** The steps the report lists as not done: open (or waiting for another step), put off, declined. */
export function stepsNotDone(progress: Progress): { open: BoardStep[]; marked: BoardStep[] } {
  return {
    open: progress.steps.filter((s) => s.state === 'open' || (s.state === 'waiting' && s.reason)),
    marked: progress.steps.filter((s) => s.state === 'deferred' || s.state === 'declined'),
  };
}

/** What the report says of the sensitive answers, at its top. */
export function sensitiveInWords(included: boolean): string {
  return included ? 'Includes the answers to steps marked sensitive: share it only with those who may read them.' : 'Answers to steps marked sensitive are left out.';
}

/** The drill or real mark at the report's top. */
export function drillInWords(drill: boolean): string {
  return drill ? 'DRILL: an exercise, not a real incident' : 'Real incident';
}

/** The verification's result in a sentence; the problems follow it when it failed. */
export function verifiedInWords(v: { ok: boolean; entries: number; attachments: number }): string {
  return v.ok
    ? `Verified when this report was written: the hash chain of all ${groupThousands(v.entries)} entries is intact, and ${v.attachments} attached file(s) match their SHA-256.`
    : 'The evidence log does NOT verify:';
}

/** An Art. 33(3) element with no answer. */
export function unansweredInWords(asked: boolean): string {
  return asked ? 'not answered yet' : 'the playbook asks no step for it';
}

/** What the decisions section lists. */
export const DECISIONS_INTRO = 'Each choice made, and each step skipped, put off or declined, with who, when and the reason given.';

/** What vouches for the log beyond its own chain: the seals, what they leave uncovered, the clock (issue 16). */
export function sealsInWords(v: { sealed: readonly string[]; unsealed: number | null; clock: string | null }): string[] {
  const out: string[] = [];
  if (v.unsealed === null) {
    // The log, or a seal of it, did not verify: the problems above say which; no claim about seals is made.
  } else if (v.sealed.length === 0) {
    out.push('The log was never sealed: nothing outside it vouches for it but a head hash kept elsewhere (below). leakctl seal signs a checkpoint others can hold it to.');
  } else if (v.unsealed > 0) {
    out.push(`The ${groupThousands(v.unsealed)} entr${v.unsealed === 1 ? 'y' : 'ies'} after the last seal ${v.unsealed === 1 ? 'is' : 'are'} vouched for by the hash chain alone.`);
  }
  if (v.clock) out.push(v.clock);
  return out;
}
