/** Where an incident stands, computed from its replayed state and its playbook. */
import type { DeadlineClock } from '../deadlines/compute.js';
import type { DeadlineRules } from '../deadlines/rules.js';
import { answerValues } from '../evidence/state.js';
import type { IncidentState } from '../evidence/state.js';
import type { Playbook } from '../playbook/types.js';
import { deadlineClocks, placedSteps, stepStanding } from './runner.js';

export interface PhaseProgress {
  readonly id: string;
  readonly title: string;
  readonly answered: number;
  readonly skipped: number;
  readonly open: number;
  readonly total: number;
}

export interface Progress {
  readonly state: 'in_progress' | 'paused' | 'complete' | 'closed';
  readonly answered: number;
  readonly skipped: number;
  readonly open: number;
  readonly total: number;
  readonly phases: PhaseProgress[];
  readonly next?: { step: string; prompt: string; phase: number; number: number };
  readonly deadlines: DeadlineClock[];
}

export function progressOf(playbook: Playbook, state: IncidentState, now: Date, rules: DeadlineRules): Progress {
  const answers = answerValues(state);
  const phases = playbook.phases.map((phase) => ({ id: phase.id, title: phase.title, answered: 0, skipped: 0, open: 0, total: phase.steps.length }));
  let next: Progress['next'];
  for (const placed of placedSteps(playbook)) {
    const standing = stepStanding(placed.step, state, answers);
    const phase = phases[placed.phaseIndex]!;
    if (standing === 'answered') phase.answered += 1;
    else if (standing === 'open') {
      phase.open += 1;
      next ??= { step: placed.step.id, prompt: placed.step.prompt, phase: placed.phaseIndex + 1, number: placed.index + 1 };
    } else if (standing === 'skipped' || state.skipped.has(placed.step.id)) {
      phase.skipped += 1;
    } else {
      // Its condition is false with the answers so far, but the run has not reached it: it
      // may still apply once the steps its condition names are answered. Not done yet.
      phase.open += 1;
    }
  }
  const sum = (key: 'answered' | 'skipped' | 'open' | 'total'): number => phases.reduce((n, p) => n + p[key], 0);
  const open = sum('open');
  return {
    state: state.closed ? 'closed' : open === 0 ? 'complete' : state.paused ? 'paused' : 'in_progress',
    answered: sum('answered'),
    skipped: sum('skipped'),
    open,
    total: sum('total'),
    phases,
    ...(next ? { next } : {}),
    deadlines: deadlineClocks(playbook, state, now, rules).filter((d) => d.status !== 'not_applicable'),
  };
}
