/**
 * The board's suggestions (issue 10): which open steps to take next, and why. A reminder that has
 * come due first; then steps that record a duty whose clock is running, nearest due first; then
 * the playbook's own order. Computed from the state alone, like everything on the board.
 */
import type { DeadlineClock } from '../deadlines/compute.js';
import type { DeadlineRules } from '../deadlines/rules.js';
import type { IncidentState } from '../evidence/state.js';
import type { Playbook } from '../playbook/types.js';
import { progressOf, type BoardStep, type Progress } from './progress.js';

export interface Suggestion {
  readonly step: BoardStep;
  /** Why now, in words (times as instants; the caller shows them in the person's zone). */
  readonly why: Why;
}

export type Why =
  | { readonly kind: 'reminder'; readonly until: Date; readonly reason: string }
  | { readonly kind: 'deadline'; readonly clock: DeadlineClock }
  | { readonly kind: 'order'; readonly phaseTitle: string };

export interface Board {
  readonly progress: Progress;
  /** Every step that can be taken now, best first. */
  readonly suggestions: Suggestion[];
  /** The running or overdue clock due soonest. */
  readonly nearest?: DeadlineClock;
  /** Step id → the running or overdue clock its answer stops (the duty it records). */
  readonly duties: ReadonlyMap<string, DeadlineClock>;
}

export function boardOf(playbook: Playbook, state: IncidentState, now: Date, rules: DeadlineRules): Board {
  const progress = progressOf(playbook, state, now, rules);
  const live = progress.deadlines.filter((d) => (d.status === 'running' || d.status === 'overdue') && d.due);
  live.sort((a, b) => a.due!.getTime() - b.due!.getTime());
  // The step that stops each live clock.
  const clockOf = new Map<string, DeadlineClock>();
  for (const clock of live) {
    const stepId = playbook.deadlines.find((d) => d.id === clock.id)?.met_by;
    if (stepId !== undefined && !clockOf.has(stepId)) clockOf.set(stepId, clock);
  }
  const reminders: Suggestion[] = [];
  const duties: Suggestion[] = [];
  const rest: Suggestion[] = [];
  for (const step of progress.steps) {
    if (step.state === 'deferred' && step.until !== undefined && Date.parse(step.until) <= now.getTime()) {
      reminders.push({ step, why: { kind: 'reminder', until: new Date(step.until), reason: step.reason ?? '' } });
      continue;
    }
    if (step.state !== 'open') continue;
    const clock = clockOf.get(step.id);
    if (clock) duties.push({ step, why: { kind: 'deadline', clock } });
    else rest.push({ step, why: { kind: 'order', phaseTitle: playbook.phases[step.phase - 1]?.title ?? '' } });
  }
  reminders.sort((a, b) => (a.why as { until: Date }).until.getTime() - (b.why as { until: Date }).until.getTime());
  duties.sort((a, b) => (a.why as { clock: DeadlineClock }).clock.due!.getTime() - (b.why as { clock: DeadlineClock }).clock.due!.getTime());
  return { progress, suggestions: [...reminders, ...duties, ...rest], duties: clockOf, ...(live[0] ? { nearest: live[0] } : {}) };
}
