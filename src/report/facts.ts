/**
 * The facts of an incident as a reader who was not there needs them (issue 15): each answer in
 * words (a choice by its label, a number grouped), and the breach register's facts, read from the
 * steps the playbook's `record:` block names. Answers to sensitive steps stay out unless asked for.
 */
import { SENSITIVE_PLACEHOLDER } from '../evidence/describe.js';
import type { IncidentState } from '../evidence/state.js';
import type { Playbook, Step } from '../playbook/types.js';
import { RECORD_FIELDS, type RecordField } from '../schemas/playbook.js';
import { groupThousands } from '../ui/text.js';

/** The steps of the incident (its modules' included), by id. */
export function stepsById(playbook: Playbook): ReadonlyMap<string, Step> {
  return new Map(playbook.phases.flatMap((phase) => phase.steps.map((step) => [step.id, step] as const)));
}

/** An answer in words: a choice by its label, yes/no, a number with its thousands grouped. */
function answerInWords(step: Step | undefined, value: unknown): string {
  const labelOf = (v: unknown): string => {
    const id = String(v);
    return step?.choices?.find((c) => c.value === id)?.label ?? step?.items?.find((i) => i.id === id)?.label ?? id;
  };
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return groupThousands(value);
  if (typeof value === 'string') return step?.kind === 'select' ? labelOf(value) : value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' || typeof v === 'number' ? labelOf(v) : answerInWords(step, v))).join('; ');
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // An attachment step's answer: the stored file, by name and hash.
    if (typeof o.sha256 === 'string') return `${String(o.original ?? o.path ?? '')} (sha256 ${o.sha256})`;
    return Object.entries(o)
      .map(([k, v]) => `${labelOf(k)}: ${typeof v === 'boolean' ? (v ? 'done' : 'not done') : String(v)}`)
      .join('; ');
  }
  return String(value);
}

export interface Shown {
  readonly includeSensitive: boolean;
}

/** The answer to step `id` in words, `[sensitive]` for a sensitive step unless asked for, or undefined if unanswered. */
export function shownAnswer(steps: ReadonlyMap<string, Step>, state: IncidentState, id: string, shown: Shown): string | undefined {
  const answer = state.answers.get(id);
  if (!answer) return undefined;
  const step = steps.get(id);
  if (step?.sensitive && !shown.includeSensitive) return SENSITIVE_PLACEHOLDER;
  return answerInWords(step, answer.value);
}

export interface Fact {
  readonly field: RecordField;
  /** What the fact is, in words (from RECORD_FIELDS). */
  readonly what: string;
  /** The answers of the steps that give it, in the order the playbook names them; empty when none is answered. */
  readonly answers: readonly { readonly step: string; readonly prompt: string; readonly text: string; readonly value: unknown; readonly by: string; readonly at: Date }[];
  /** Whether the playbook names any step for it. */
  readonly asked: boolean;
  /** With no answer: what stands in for one, and where it comes from (the signatory named at the start for the contact point). */
  readonly otherwise?: { readonly text: string; readonly source: string };
}

/** Every fact of the breach register for this incident, in RECORD_FIELDS order. */
export function factsOf(playbook: Playbook, state: IncidentState, shown: Shown, otherwise: Partial<Record<RecordField, Fact['otherwise']>> = {}): ReadonlyMap<RecordField, Fact> {
  const steps = stepsById(playbook);
  const facts = new Map<RecordField, Fact>();
  for (const [field, what] of Object.entries(RECORD_FIELDS) as [RecordField, string][]) {
    const ids = playbook.record?.[field] ?? [];
    const answers = ids.flatMap((id) => {
      const text = shownAnswer(steps, state, id, shown);
      const record = state.answers.get(id);
      if (text === undefined || text === '' || !record) return [];
      const value = text === SENSITIVE_PLACEHOLDER ? text : record.value;
      return [{ step: id, prompt: steps.get(id)?.prompt ?? id, text, value, by: record.actor, at: record.at }];
    });
    const instead = answers.length === 0 ? otherwise[field] : undefined;
    facts.set(field, { field, what, answers, asked: ids.length > 0, ...(instead ? { otherwise: instead } : {}) });
  }
  return facts;
}

/** A fact's answers as one text, several joined with `separator` (a line break where text can have them, "; " in a cell). */
export function factText(fact: Fact | undefined, separator = '; '): string {
  if (!fact) return '';
  return fact.answers.length === 0 ? (fact.otherwise?.text ?? '') : fact.answers.map((a) => a.text).join(separator);
}
