/**
 * The steps of a playbook and where each stands (issue 10): the order they are walked in, a step
 * found by id (or the closest few ids), its standing given the incident's state, the deadline
 * clocks. Pure functions of the playbook and the state: the runner, the walk, the board and the
 * commands all read steps through here.
 */
import { deadlineClock, type DeadlineClock } from '../deadlines/compute.js';
import type { DeadlineRules } from '../deadlines/rules.js';
import { answerValues, type IncidentState } from '../evidence/state.js';
import { evaluate } from '../playbook/conditions.js';
import type { Phase, Playbook, Step } from '../playbook/types.js';
import { InvalidInput } from '../ui/errors.js';
import { printable } from '../ui/text.js';

export const CONDITION_SKIP = 'condition not met: ';

/** A step in document order with its place in the playbook. */
export interface PlacedStep {
  readonly step: Step;
  readonly phase: Phase;
  readonly phaseIndex: number;
  readonly index: number;
}

export function placedSteps(playbook: Playbook): PlacedStep[] {
  const placed: PlacedStep[] = [];
  playbook.phases.forEach((phase, phaseIndex) => {
    for (const step of phase.steps) placed.push({ step, phase, phaseIndex, index: placed.length });
  });
  return placed;
}

/** The step of the playbook with this id, or exit 2 naming the id and the closest few. */
export function findStep(playbook: Playbook, id: string, incident: string): PlacedStep {
  const steps = placedSteps(playbook);
  const placed = steps.find((p) => p.step.id === id);
  if (!placed) {
    const close = closestIds(id, steps.map((p) => p.step.id));
    const hint = close.length > 0 ? `did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : `\`leakctl show ${playbook.id}\` lists its steps`;
    throw new InvalidInput(`incident ${incident} (playbook ${playbook.id}) has no step "${printable(id)}"; ${hint}`);
  }
  return placed;
}

export type Standing = 'answered' | 'skipped' | 'condition_false' | 'waiting' | 'deferred' | 'declined' | 'open';

/**
 * The step's standing given the answers so far: answered, skipped (by the responder, or because
 * its condition is false with the latest answers), deferred ("not yet"), declined ("won't do"),
 * or open. A step skipped for its condition is open again when an amended answer makes the
 * condition true; a deferred or declined step whose condition turns false no longer applies.
 */
export function stepStanding(step: Step, state: IncidentState, answers: ReadonlyMap<string, unknown>): Standing {
  if (state.answers.has(step.id)) return 'answered';
  // A condition that names a later step with no word on it yet (not answered, skipped or
  // declined) cannot be decided: the step waits (playbook@2 lets a condition name a later step).
  if (step.waits_for?.some((id) => undecided(state, id))) return 'waiting';
  if (step.when && !evaluate(step.when, answers)) return 'condition_false';
  // playbook@2 `needs`: offered once the steps it needs are answered.
  if (step.needs?.some((need) => !state.answers.has(need))) return 'waiting';
  if (state.declined.has(step.id)) return 'declined';
  if (state.deferred.has(step.id)) return 'deferred';
  const reason = state.skipped.get(step.id);
  if (reason !== undefined && !reason.startsWith(CONDITION_SKIP)) return 'skipped';
  return 'open';
}

/** Whether nobody has said anything that settles a step yet: not answered, skipped or declined. */
export function undecided(state: IncidentState, id: string): boolean {
  return !state.answers.has(id) && !state.skipped.has(id) && !state.declined.has(id);
}

/** The steps still to be answered, in order: open ones, and those waiting for what they need or name. */
export function openSteps(playbook: Playbook, state: IncidentState): PlacedStep[] {
  const answers = answerValues(state);
  return placedSteps(playbook).filter(({ step }) => {
    const standing = stepStanding(step, state, answers);
    return standing === 'open' || standing === 'waiting';
  });
}

export function deadlineClocks(playbook: Playbook, state: IncidentState, now: Date, rules: DeadlineRules): DeadlineClock[] {
  const answers = answerValues(state);
  const openedAt = state.opened?.at ?? now;
  return playbook.deadlines.map((d) => deadlineClock(d, { answers, openedAt, now, rules }));
}

/** The ids nearest to a mistyped one (edit distance, or sharing a word), best first, at most four. */
export function closestIds(given: string, ids: readonly string[]): string[] {
  const words = new Set(given.toLowerCase().split(/[_\W]+/).filter((w) => w.length > 2));
  const scored = ids.map((id) => {
    const distance = editDistance(given.toLowerCase(), id);
    const shared = id.split('_').filter((w) => words.has(w)).length;
    return { id, distance, shared };
  });
  const limit = Math.max(2, Math.floor(given.length / 3));
  return scored
    .filter((s) => s.distance <= limit || s.shared > 0)
    .sort((a, b) => b.shared - a.shared || a.distance - b.distance || a.id.localeCompare(b.id))
    .slice(0, 4)
    .map((s) => s.id);
}

/** Levenshtein distance; ids are short (at most 64 characters), so the square is small. */
function editDistance(a: string, b: string): number {
  if (a.length > 200) return Infinity;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}
