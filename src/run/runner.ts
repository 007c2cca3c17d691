/**
 * The runner: walks the playbook's phases and steps in order, asks the responder for each open
 * step, and appends every answer, skip and deadline event to the evidence log before the next
 * prompt. Its only side effect is the log (and the attachments the log points at).
 */
import { copyAttachment } from '../evidence/attachments.js';
import type { EntryType } from '../evidence/entry.js';
import type { EvidenceLog } from '../evidence/log.js';
import { answerValues, applyEntry } from '../evidence/state.js';
import type { IncidentState } from '../evidence/state.js';
import { deadlineClock } from '../deadlines/compute.js';
import type { DeadlineClock } from '../deadlines/compute.js';
import { conditionInWords, evaluate } from '../playbook/conditions.js';
import type { Phase, Playbook, Step } from '../playbook/types.js';
import type { AnswerContext, Checked } from './answer.js';
import { checkAnswer } from './answer.js';
import type { Clock } from './clock.js';

/** Where the run stands when a step is asked: what the prompt shows as progress. */
export interface StepContext {
  readonly phase: Phase;
  readonly phaseNumber: number;
  readonly phaseCount: number;
  readonly stepNumber: number;
  readonly stepCount: number;
  /** Deadlines whose clock is running (or overdue) now. */
  readonly deadlines: readonly DeadlineClock[];
  readonly now: Date;
}

export type Reply = { readonly kind: 'answer'; readonly value: unknown } | { readonly kind: 'skip'; readonly reason: string };

/** Prompts or an answers file: the two ways a step gets answered, behind one interface. */
export interface Responder {
  readonly source: 'prompt' | 'answers';
  /** The directory relative attachment paths are resolved against. */
  readonly baseDir: string;
  /**
   * Answer one step. `check` is the one validation rule; a prompt asks again until it passes,
   * a script fails naming the step.
   */
  ask(step: Step, context: StepContext, check: (raw: unknown) => Checked): Promise<Reply>;
}

export const CONDITION_SKIP = 'condition not met: ';

export interface RunInput {
  readonly playbook: Playbook;
  readonly state: IncidentState;
  readonly log: EvidenceLog;
  readonly incidentDir: string;
  readonly responder: Responder;
  readonly clock: Clock;
  readonly actor: string;
  readonly holidays: ReadonlySet<string>;
}

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

/**
 * The step's standing given the answers so far: answered, skipped (by the responder, or because
 * its condition is false with the latest answers), or open. A step skipped for its condition is
 * open again when an amended answer makes the condition true.
 */
export function stepStanding(step: Step, state: IncidentState, answers: ReadonlyMap<string, unknown>): 'answered' | 'skipped' | 'condition_false' | 'open' {
  if (state.answers.has(step.id)) return 'answered';
  if (step.when && !evaluate(step.when, answers)) return 'condition_false';
  const reason = state.skipped.get(step.id);
  if (reason !== undefined && !reason.startsWith(CONDITION_SKIP)) return 'skipped';
  return 'open';
}

/** The steps still to be answered, in order, given the latest answers. */
export function openSteps(playbook: Playbook, state: IncidentState): PlacedStep[] {
  const answers = answerValues(state);
  return placedSteps(playbook).filter(({ step }) => stepStanding(step, state, answers) === 'open');
}

export function deadlineClocks(playbook: Playbook, state: IncidentState, now: Date, holidays: ReadonlySet<string>): DeadlineClock[] {
  const answers = answerValues(state);
  const openedAt = state.opened?.at ?? now;
  return playbook.deadlines.map((d) => deadlineClock(d, { answers, openedAt, now, holidays }));
}

/** Walk every open step. Returns when no step is left open. */
export async function runSteps(input: RunInput): Promise<void> {
  const { playbook, state, log, responder, clock, actor } = input;
  const record = (type: EntryType, data: Record<string, unknown>): void => {
    applyEntry(state, log.append(type, actor, data, clock.now()));
  };
  const steps = placedSteps(playbook);
  // Deadlines counted from the opening run from the start.
  recordDeadlineEvents(deadlineClocks(playbook, state, clock.now(), input.holidays), state, record);

  for (const placed of steps) {
    const { step } = placed;
    const answers = answerValues(state);
    const standing = stepStanding(step, state, answers);
    if (standing === 'answered' || standing === 'skipped') continue;
    if (standing === 'condition_false') {
      const reason = CONDITION_SKIP + conditionInWords(step.when!);
      if (state.skipped.get(step.id) !== reason) record('step.skipped', { step: step.id, reason });
      continue;
    }

    const before = deadlineClocks(playbook, state, clock.now(), input.holidays);
    const context: StepContext = {
      phase: placed.phase,
      phaseNumber: placed.phaseIndex + 1,
      phaseCount: playbook.phases.length,
      stepNumber: placed.index + 1,
      stepCount: steps.length,
      deadlines: before.filter((d) => d.status === 'running' || d.status === 'overdue'),
      now: clock.now(),
    };
    const answerContext = (): AnswerContext => ({ now: clock.now(), baseDir: responder.baseDir });
    const reply = await responder.ask(step, context, (raw) => checkAnswer(step, raw, answerContext()));
    if (reply.kind === 'skip') {
      record('step.skipped', { step: step.id, reason: reply.reason });
      continue;
    }
    const value = await recordedValue(step, reply.value, input.incidentDir);
    record('step.answered', { step: step.id, value, source: responder.source });
    recordDeadlineEvents(deadlineClocks(playbook, state, clock.now(), input.holidays), state, record);
  }
}

/**
 * The value a step's answer is logged with: for an attachment step, the files copied into the
 * incident as `{ path, sha256, bytes }` (SPEC section 2); for any other kind, the checked answer.
 */
export async function recordedValue(step: Step, checked: unknown, incidentDir: string): Promise<unknown> {
  if (step.kind !== 'attachment') return checked;
  const files = [];
  for (const path of checked as string[]) {
    const copied = await copyAttachment(incidentDir, path);
    files.push({ path: copied.path, sha256: copied.sha256, bytes: copied.bytes });
  }
  return files;
}

/**
 * Log `deadline.started` / `deadline.met` for clocks that started or stopped since the log last
 * said so. Idempotent, so a resumed run records nothing twice.
 */
export function recordDeadlineEvents(
  clocks: readonly DeadlineClock[],
  state: IncidentState,
  record: (type: EntryType, data: Record<string, unknown>) => void,
): void {
  for (const clock of clocks) {
    if (!clock.due) continue;
    if (!state.deadlinesStarted.has(clock.id)) {
      record('deadline.started', { deadline: clock.id, title: clock.title, due: clock.due.toISOString() });
    }
    if ((clock.status === 'met' || clock.status === 'met_late') && clock.met_at && !state.deadlinesMet.has(clock.id)) {
      record('deadline.met', {
        deadline: clock.id,
        met_at: clock.met_at.toISOString(),
        due: clock.due.toISOString(),
        on_time: clock.status === 'met',
      });
    }
  }
}
