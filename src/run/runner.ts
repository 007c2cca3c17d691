/**
 * The runner: the one way a step gets answered (issue 8). The walk of `start`/`resume`, `amend`
 * and the board commands still to come all go through `answerStep`: ask the Responder, check the
 * answer with the one rule, record it through the Incident, record the deadline events it causes.
 */
import type { Settings } from '../config/settings.js';
import { applies, startOf, type DeadlineClock } from '../deadlines/compute.js';
import type { DeadlineRules } from '../deadlines/rules.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import { answerValues, type IncidentState } from '../evidence/state.js';
import type { Clock } from '../incident/clock.js';
import type { Incident } from '../incident/incident.js';
import { evaluate } from '../playbook/conditions.js';
import { modulesOf } from '../playbook/modules.js';
import type { Phase, Playbook, Step } from '../playbook/types.js';
import { InvalidInput } from '../ui/errors.js';
import { printable } from '../ui/text.js';
import type { Board } from './board.js';
import { checkAnswer, type Checked } from './check-answer.js';
import { deadlineClocks, placedSteps, stepStanding, type PlacedStep } from './steps.js';

/** Everything a run needs, in one object: what start, resume, drill and amend build and pass on. */
export interface Run {
  readonly incident: Incident;
  readonly playbook: Playbook;
  readonly responder: Responder;
  /** The clock the incident records by (the same object its writer holds). */
  readonly clock: Clock;
  /** Where each deadline's days are counted and which holidays they skip. */
  readonly rules: DeadlineRules;
  /** Config and search paths: what rendering drafts needs. */
  readonly settings: Settings;
  /** Aborted on Ctrl+C outside a prompt. */
  readonly signal?: AbortSignal;
  /** The answers file as the responder named it, for the hint after a missing answer. */
  readonly answersPath?: string;
  /** A drill that is judged at the end: problems are collected, not thrown. */
  readonly judged?: boolean;
}

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
  /** The earlier answer, when a step is answered again (amend). */
  readonly previous?: unknown;
  /** The running clock this step's answer stops, when it records a duty ("when did you notify…"). */
  readonly duty?: DeadlineClock;
  /** "Not yet" and "won't do" are offered unless the step must be answered (amend). */
  readonly canPutOff: boolean;
  /** Back, jump and the menu: only in the walk. */
  readonly walk?: WalkChoices;
}

export type Reply =
  | { readonly kind: 'answer'; readonly value: unknown }
  | { readonly kind: 'skip'; readonly reason: string }
  /** "Not yet": the step stays on the board, with an optional reason and reminder. */
  | { readonly kind: 'defer'; readonly reason?: string; readonly until?: string }
  /** "Won't do": a reason is required; a declined required step is a gap the board shows. */
  | { readonly kind: 'decline'; readonly reason: string }
  | Navigation;

/** What a person can ask for instead of answering, during the walk (issue 10): nothing is recorded for the step. */
export type Navigation =
  /** Answer the step answered before this one again. */
  | { readonly kind: 'back' }
  /** Take up another step now; the walk comes back afterwards. */
  | { readonly kind: 'jump'; readonly step: string }
  | { readonly kind: 'note'; readonly text: string }
  /** Files for the evidence log (checked already), as `leakctl attach` adds them. */
  | { readonly kind: 'attach'; readonly files: readonly string[] }
  | { readonly kind: 'board' }
  /** Write this notice now, asking first for the answers it still needs. */
  | { readonly kind: 'draft'; readonly template: string };

const NAVIGATION: ReadonlySet<string> = new Set(['back', 'jump', 'note', 'attach', 'board', 'draft']);

function isNavigation(reply: Reply): reply is Navigation {
  return NAVIGATION.has(reply.kind);
}

/** What the walk offers beside an answer; `do` and `amend` offer none of it. */
export interface WalkChoices {
  readonly canGoBack: boolean;
  /** The steps a person may jump to (open, deferred or declined; answered ones to change them). */
  readonly jumpTargets: () => readonly { readonly id: string; readonly label: string }[];
  /** The notices of the playbook, for "draft a notice now". */
  readonly notices: readonly string[];
  /** The rule files to attach must meet (regular files that can be read), as the attach step's. */
  readonly checkFiles: (paths: string[]) => Checked;
}

/** Prompts or an answers file: the two ways a step gets answered, behind one interface. */
export interface Responder {
  readonly source: 'prompt' | 'answers';
  /** The directory relative attachment paths are resolved against. */
  readonly baseDir: string;
  /** The zone a time given without an offset is read in: the person's display zone, or a script's organisation zone. */
  readonly inputZone: string;
  /**
   * Answer one step. `check` is the one validation rule; a prompt asks again until it passes,
   * a script fails naming the step.
   */
  ask(step: Step, context: StepContext, check: (raw: unknown) => Checked): Promise<Reply>;
  /** Entries other processes added since the last step (a session shows them; a script need not). */
  tell?(entries: readonly EvidenceEntry[]): void;
  /** A script: whether it holds a real answer for the step (one put off or declined earlier is then taken up). */
  hasAnswer?(stepId: string): boolean;
  /** A script: the drafts to write once this step has its answer (the answers file's `render:`). */
  rendersAfter?(stepId: string): readonly string[];
  /** A person: the board, asked for from the walk's menu. */
  showBoard?(board: Board): void;
  /** A person: the notice written from the walk's menu (its files), or why it was not. */
  showDraft?(template: string, result: { files: readonly string[] } | { problem: string }): void;
}

export interface AnswerOptions {
  /** Answer a step that already has an answer (amend): it must be answered, not skipped. */
  readonly again?: boolean;
  /** Offered in the walk: back, jump and the menu. */
  readonly walk?: WalkChoices;
}

/**
 * Asks the responder for one step and records the reply: the answer (attachments copied into the
 * incident first), the skip, the deferral or the decline. Then the deadline events the answer
 * causes.
 */
export async function answerStep(run: Run, placed: PlacedStep, options: AnswerOptions = {}): Promise<EvidenceEntry> {
  const outcome = await takeStep(run, placed, options);
  if ('navigate' in outcome) throw new Error(`step "${placed.step.id}": ${outcome.navigate.kind} asked for outside the walk`);
  if ('superseded' in outcome) throw new InvalidInput(supersededInWords(placed.step.id, outcome.superseded));
  return outcome.entry;
}

/** Someone else said something of the step while it was being asked: nothing of ours is recorded over it. */
export function supersededInWords(step: string, entry: EvidenceEntry): string {
  const words: Record<string, string> = { 'step.answered': 'answered', 'step.skipped': 'skipped', 'step.deferred': 'put off', 'step.declined': 'declined' };
  return `step "${step}" was ${words[entry.type] ?? 'changed'} by ${printable(entry.actor)} (entry #${entry.seq}) while you were answering; nothing was recorded over it`;
}

/** One step, where the person may also ask to go elsewhere (the walk): the entry recorded, or where to go. */
export async function takeStep(
  run: Run,
  placed: PlacedStep,
  options: AnswerOptions = {},
): Promise<{ entry: EvidenceEntry } | { navigate: Navigation } | { superseded: EvidenceEntry }> {
  const { incident, playbook, responder, clock } = run;
  const { step } = placed;
  const state = incident.state;
  const previous = state.answers.get(step.id);
  const now = clock.now();
  let live: DeadlineClock[] | undefined;
  // "Step 4/61": among the steps not ruled out by the answers so far, so that the places and
  // duties a regime pack offers (most of which never apply) do not swell the count.
  const answers = answerValues(state);
  const counted = placedSteps(playbook).filter((p) => p.step.id === step.id || stepStanding(p.step, state, answers) !== 'condition_false');
  const running = (): DeadlineClock[] =>
    (live ??= deadlineClocks(playbook, state, now, run.rules).filter((d) => d.status === 'running' || d.status === 'overdue'));
  const context: StepContext = {
    phase: placed.phase,
    phaseNumber: placed.phaseIndex + 1,
    phaseCount: playbook.phases.length,
    stepNumber: counted.findIndex((p) => p.step.id === step.id) + 1,
    stepCount: counted.length,
    // Computed when a responder looks (a prompt shows them; a script never does).
    get deadlines() {
      return running();
    },
    get duty() {
      const ids = new Set(playbook.deadlines.filter((d) => d.met_by === step.id).map((d) => d.id));
      return running().find((d) => ids.has(d.id));
    },
    now,
    canPutOff: !options.again,
    ...(options.walk ? { walk: options.walk } : {}),
    ...(options.again && previous ? { previous: previous.value } : {}),
  };
  const asked = options.again ? { ...step, required: true } : step;
  const start = dutyStart(playbook, state, step.id);
  const notBefore = start ? { ...start, incident: incident.id } : undefined;
  const reply = await responder.ask(asked, context, (raw) =>
    checkAnswer(step, raw, { now: clock.now(), baseDir: responder.baseDir, zone: responder.inputZone, ...(notBefore ? { notBefore } : {}) }),
  );
  if (isNavigation(reply)) return { navigate: reply };
  // A person may take minutes over a question; a colleague may have answered, put off or declined
  // the same step meanwhile. Their word stands: ours is not recorded over it, and they are told.
  const added = await incident.refresh();
  if (added.length > 0) responder.tell?.(added);
  const meanwhile = added.findLast((e) => e.type.startsWith('step.') && e.data.step === step.id);
  if (meanwhile) return { superseded: meanwhile };
  if (reply.kind !== 'answer') {
    if (options.again) throw new InvalidInput(`nothing was recorded for step "${step.id}": it needs an answer`);
    if (reply.kind === 'defer') return { entry: await recordDeferral(run, step, reply) };
    if (reply.kind === 'decline') return { entry: await recordDecline(run, step, reply.reason) };
    return { entry: await incident.record('step.skipped', { step: step.id, reason: reply.reason }) };
  }
  const answered = (value: unknown) => ({ type: 'step.answered' as const, data: { step: step.id, value, source: responder.source } });
  const entry =
    step.kind === 'attachment'
      ? // SPEC section 2: an attachment step's answer is the files copied into the incident.
        (await incident.recordFiles(reply.value as string[], (files) => answered(files.map(({ path, sha256, bytes }) => ({ path, sha256, bytes }))))).entry
      : await incident.record('step.answered', answered(reply.value).data);
  await recordDeadlineEvents(run);
  await joinModules(run);
  return { entry };
}

/** playbook@2: the modules whose condition the answers now meet join the incident, each logged. */
export async function joinModules(run: Pick<Run, 'incident' | 'playbook'>): Promise<void> {
  const { incident } = run;
  for (const module of modulesOf(run.playbook)) {
    if (incident.state.joined.includes(module.id)) continue;
    if (evaluate(module.when, answerValues(incident.state))) await incident.record('module.joined', { module: module.id, title: module.title });
  }
}

/** "Not yet" for a step: it stays on the board; `until` is when to be reminded. */
export function recordDeferral(run: Pick<Run, 'incident'>, step: Step, reply: { reason?: string; until?: string }): Promise<EvidenceEntry> {
  const reason = reply.reason?.trim();
  return run.incident.record('step.deferred', { step: step.id, ...(reason ? { reason } : {}), ...(reply.until ? { until: reply.until } : {}) });
}

/** "Won't do" for a step, with the reason: a declined required step is a gap that stays visible. */
export function recordDecline(run: Pick<Run, 'incident'>, step: Step, reason: string): Promise<EvidenceEntry> {
  const why = reason.trim();
  if (why === '') throw new InvalidInput(`declining step "${step.id}" needs a reason: say why it will not be done`);
  return run.incident.record('step.declined', { step: step.id, reason: why });
}

/**
 * When the duty a step records started, if it records one: the latest answer among the `from`
 * steps of the deadlines that apply and that it meets (the incident's opening does not count: it
 * may be recorded after the fact).
 */
function dutyStart(playbook: Playbook, state: IncidentState, stepId: string): { step: string; at: Date } | undefined {
  const answers = answerValues(state);
  let start: { step: string; at: Date } | undefined;
  for (const deadline of playbook.deadlines) {
    if (deadline.met_by !== stepId || deadline.from === 'opened' || !applies(deadline, answers)) continue;
    const at = startOf(deadline, answers, state.opened?.at ?? new Date(0));
    if (at && (!start || at > start.at)) start = { step: deadline.from, at };
  }
  return start;
}

/**
 * Records `deadline.started` / `deadline.met` for clocks that started or stopped since the log
 * last said so. Idempotent, so a resumed run records nothing twice.
 */
export async function recordDeadlineEvents(run: Run): Promise<void> {
  const { incident } = run;
  const state = incident.state;
  for (const clock of deadlineClocks(run.playbook, state, run.clock.now(), run.rules)) {
    if (!clock.due) continue;
    if (!state.deadlinesStarted.has(clock.id)) {
      await incident.record('deadline.started', { deadline: clock.id, title: clock.title, due: clock.due.toISOString() });
    }
    if ((clock.status === 'met' || clock.status === 'met_late') && clock.met_at && !state.deadlinesMet.has(clock.id)) {
      await incident.record('deadline.met', {
        deadline: clock.id,
        met_at: clock.met_at.toISOString(),
        due: clock.due.toISOString(),
        on_time: clock.status === 'met',
      });
    }
  }
}

