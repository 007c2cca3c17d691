/**
 * One incident as a row of the organisation's breach register (issue 15; GDPR Art. 33(5), the
 * ICO's breach log): the facts the playbook's `record:` block names, whether and when the
 * authority and the people were told, and the reasons where they were not. Times are RFC 3339
 * UTC and counts plain numbers, for a spreadsheet; choices are given by their labels, the
 * incident's status in words.
 */
import type { IncidentState } from '../evidence/state.js';
import type { Playbook } from '../playbook/types.js';
import type { Progress } from '../run/progress.js';
import type { RecordField } from '../schemas/playbook.js';
import { factsOf, type Fact } from './facts.js';
import { incidentStateInWords } from './words.js';

export const REGISTER_COLUMNS = [
  'incident',
  'drill',
  'cause',
  'playbook',
  'discovered',
  'contained',
  'closed',
  'nature',
  'categories',
  'people',
  'records',
  'consequences',
  'measures',
  'risk',
  'authority_told',
  'authority_told_at',
  'people_told',
  'people_told_at',
  'reasons',
  'leak_status',
  'status',
  'entries',
  'head',
] as const;

export type RegisterColumn = (typeof REGISTER_COLUMNS)[number];
export type RegisterRow = Record<RegisterColumn, string | number | boolean | null>;

/** A fact's answers as one value: a number alone stays a number; several answers are joined with "; ". */
function valueOf(fact: Fact | undefined): string | number | null {
  if (!fact || fact.answers.length === 0) return null;
  if (fact.answers.length === 1 && typeof fact.answers[0]!.value === 'number') return fact.answers[0]!.value;
  // A time as RFC 3339 UTC, whatever offset it was typed with: a spreadsheet sorts them as times.
  return fact.answers.map((a) => (typeof a.value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(a.value) && !Number.isNaN(Date.parse(a.value)) ? new Date(a.value).toISOString() : a.text)).join('; ');
}

export function registerRow(playbook: Playbook, state: IncidentState, progress: Progress): RegisterRow {
  const facts = factsOf(playbook, state, { includeSensitive: false });
  const fact = (field: RecordField): Fact | undefined => facts.get(field);
  // A duty to tell declined or put off, with its reason: one of the reasons where they were not told.
  const marked = (['authority_told', 'people_told'] as const).flatMap((field) =>
    (playbook.record?.[field] ?? []).flatMap((step) => {
      const declined = state.declined.get(step);
      const deferred = state.deferred.get(step);
      return declined ? [`${step} will not be done: ${declined.reason}`] : deferred ? [`${step} not yet: ${deferred.reason}`] : [];
    }),
  );
  const told = (field: 'authority_told' | 'people_told'): boolean | null => ((fact(field)?.answers.length ?? 0) > 0 ? true : playbook.record?.[field] ? false : null);
  // The reasons: the answers that give them (for not telling, or for telling late, Art. 33(1)),
  // and where someone was not told, the duties to tell declined or put off with theirs. (The
  // risk as assessed, the usual reason not to tell, has its own column.)
  const untold = told('authority_told') === false || told('people_told') === false;
  const reasons = [valueOf(fact('reasons')), ...(untold ? marked : [])].filter((r) => r !== null && r !== '');
  const opened = state.opened!;
  return {
    incident: state.id,
    drill: opened.drill,
    cause: playbook.cause,
    playbook: playbook.id,
    discovered: valueOf(fact('discovered')),
    contained: valueOf(fact('contained')),
    closed: state.closed?.at.toISOString() ?? null,
    nature: valueOf(fact('nature')),
    categories: valueOf(fact('categories')),
    people: valueOf(fact('people')),
    records: valueOf(fact('records')),
    consequences: valueOf(fact('consequences')),
    measures: valueOf(fact('measures')),
    risk: valueOf(fact('risk')),
    authority_told: told('authority_told'),
    authority_told_at: valueOf(fact('authority_told')),
    people_told: told('people_told'),
    people_told_at: valueOf(fact('people_told')),
    reasons: reasons.length > 0 ? reasons.join('; ') : null,
    leak_status: valueOf(fact('status')),
    status: incidentStateInWords(progress.state),
    entries: state.entries,
    head: state.head,
  };
}
