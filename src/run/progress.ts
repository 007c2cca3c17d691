/** Where an incident stands, computed from its replayed state and its playbook. */
import type { DeadlineClock } from '../deadlines/compute.js';
import type { DeadlineRules } from '../deadlines/rules.js';
import { answerValues, ownerKey } from '../evidence/state.js';
import type { IncidentState, StepConflict } from '../evidence/state.js';
import { SENSITIVE_PLACEHOLDER } from '../evidence/describe.js';
import type { Playbook } from '../playbook/types.js';
import { deadlineClocks, placedSteps, stepStanding, undecided } from './steps.js';

export interface PhaseProgress {
  readonly id: string;
  readonly title: string;
  readonly answered: number;
  readonly skipped: number;
  readonly deferred: number;
  readonly declined: number;
  readonly open: number;
  readonly total: number;
}

/** One step on the board: where it stands, and the who, when and why of a deferral or decline. */
export interface BoardStep {
  readonly id: string;
  readonly prompt: string;
  readonly phase: number;
  readonly number: number;
  readonly required: boolean;
  /** `waiting`: its condition is false with the answers so far, but the steps it names are still open. */
  readonly state: 'answered' | 'skipped' | 'not_applicable' | 'waiting' | 'deferred' | 'declined' | 'open';
  readonly reason?: string;
  readonly until?: string;
  readonly by?: string;
  readonly at?: Date;
  /** Who owns it (`leakctl assign`): the step's own owner, else its phase's. */
  readonly owner?: string;
}

export interface Progress {
  readonly state: 'in_progress' | 'paused' | 'complete' | 'closed';
  readonly answered: number;
  readonly skipped: number;
  readonly deferred: number;
  readonly declined: number;
  readonly open: number;
  readonly total: number;
  readonly phases: PhaseProgress[];
  readonly steps: BoardStep[];
  readonly next?: { step: string; prompt: string; phase: number; number: number };
  readonly deadlines: DeadlineClock[];
  /**
   * Steps answered differently by responders who had not seen each other's answer (issue 17),
   * each answer with who and when; a sensitive step's values are not shown. Resolved by answering
   * the step again after reading them.
   */
  readonly conflicts: BoardConflict[];
}

export interface BoardConflict {
  readonly step: string;
  readonly prompt: string;
  readonly answers: readonly { readonly says: string; readonly by: string; readonly at: Date; readonly chain: string; readonly entry: number }[];
}

export function progressOf(playbook: Playbook, state: IncidentState, now: Date, rules: DeadlineRules): Progress {
  const answers = answerValues(state);
  const phases = playbook.phases.map((phase) => ({ id: phase.id, title: phase.title, answered: 0, skipped: 0, deferred: 0, declined: 0, open: 0, total: phase.steps.length }));
  const steps: BoardStep[] = [];
  let next: Progress['next'];
  for (const placed of placedSteps(playbook)) {
    const { step } = placed;
    const standing = stepStanding(step, state, answers);
    const phase = phases[placed.phaseIndex]!;
    const owner = state.owners.get(ownerKey('step', step.id)) ?? state.owners.get(ownerKey('phase', playbook.phases[placed.phaseIndex]!.id));
    const base = { id: step.id, prompt: step.prompt, phase: placed.phaseIndex + 1, number: placed.index + 1, required: step.required, ...(owner ? { owner: owner.name } : {}) };
    if (standing === 'answered') {
      phase.answered += 1;
      const answer = state.answers.get(step.id)!;
      steps.push({ ...base, state: 'answered', by: answer.actor, at: answer.at });
    } else if (standing === 'open') {
      phase.open += 1;
      next ??= { step: step.id, prompt: step.prompt, phase: placed.phaseIndex + 1, number: placed.index + 1 };
      steps.push({ ...base, state: 'open' });
    } else if (standing === 'deferred' || standing === 'declined') {
      phase[standing] += 1;
      const mark = (standing === 'deferred' ? state.deferred : state.declined).get(step.id)!;
      steps.push({ ...base, state: standing, reason: mark.reason, ...(mark.until ? { until: mark.until } : {}), by: mark.actor, at: mark.at });
    } else if (standing === 'waiting') {
      // playbook@2 `needs`: offered once the steps it needs are answered.
      phase.open += 1;
      const named = [...(step.waits_for ?? []), ...(step.needs ?? [])].filter((id) => undecided(state, id));
      steps.push({ ...base, state: 'waiting', reason: `waits for ${[...new Set(named)].join(', ')}` });
    } else if (standing === 'skipped' || state.skipped.has(step.id)) {
      phase.skipped += 1;
      steps.push({ ...base, state: standing === 'skipped' ? 'skipped' : 'not_applicable', reason: state.skipped.get(step.id) ?? '' });
    } else {
      // Its condition is false with the answers so far, but the run has not reached it: it
      // may still apply once the steps its condition names are answered. Not done yet.
      phase.open += 1;
      steps.push({ ...base, state: 'waiting' });
    }
  }
  const sum = (key: 'answered' | 'skipped' | 'deferred' | 'declined' | 'open' | 'total'): number => phases.reduce((n, p) => n + p[key], 0);
  const open = sum('open');
  const deferred = sum('deferred');
  return {
    state: state.closed ? 'closed' : open + deferred === 0 ? 'complete' : state.paused ? 'paused' : 'in_progress',
    answered: sum('answered'),
    skipped: sum('skipped'),
    deferred,
    declined: sum('declined'),
    open,
    total: sum('total'),
    phases,
    steps,
    ...(next ? { next } : {}),
    deadlines: deadlineClocks(playbook, state, now, rules).filter((d) => d.status !== 'not_applicable'),
    conflicts: conflictsOf(playbook, state),
  };
}

function conflictsOf(playbook: Playbook, state: IncidentState): BoardConflict[] {
  if (state.conflicts.length === 0) return [];
  const byId = new Map(placedSteps(playbook).map((p) => [p.step.id, p.step]));
  return state.conflicts.map((c) => {
    const step = byId.get(c.step);
    const says = (p: StepConflict['positions'][number]): string => {
      if (p.type === 'step.answered') return step?.sensitive ? `answered ${SENSITIVE_PLACEHOLDER}` : `answered ${JSON.stringify(p.value)}`;
      const what = p.type === 'step.deferred' ? 'not yet' : p.type === 'step.declined' ? "won't do" : 'skipped';
      return p.reason ? `${what}: ${p.reason}` : what;
    };
    return { step: c.step, prompt: step?.prompt ?? c.step, answers: c.positions.map((p) => ({ says: says(p), by: p.actor, at: p.at, chain: p.chain, entry: p.seq })) };
  });
}

/** An incident's state as `status` and the report say it. */
export function progressStateInWords(state: Progress['state']): string {
  return { in_progress: 'in progress', paused: 'paused', complete: 'all steps done', closed: 'closed' }[state];
}

/** A step on the board as JSON, the one shape `status --json` and `next --json` give. */
export function boardStepJson(step: BoardStep) {
  return {
    id: step.id,
    prompt: step.prompt,
    phase: step.phase,
    number: step.number,
    required: step.required,
    state: step.state,
    ...(step.reason !== undefined ? { reason: step.reason } : {}),
    ...(step.until !== undefined ? { until: step.until } : {}),
    ...(step.by !== undefined ? { by: step.by } : {}),
    ...(step.at !== undefined ? { at: step.at.toISOString() } : {}),
    ...(step.owner !== undefined ? { owner: step.owner } : {}),
  };
}
