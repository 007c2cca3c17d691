/**
 * The walk of `start` and `resume` (issue 10): the open steps in the playbook's order, each asked
 * through the one runner, where the person may instead put a step off, decline it, go back, jump
 * to another step, add a note, look at the board, or draft a notice now. Deferred and declined
 * steps are passed; a step whose condition is false is recorded as skipped. The walk ends when no
 * step is left open.
 */
import { answerValues } from '../evidence/state.js';
import { conditionInWords } from '../playbook/conditions.js';
import { formatProblem, InvalidDocument } from '../ui/errors.js';
import { boardOf } from './board.js';
import { missingAnswers, recordDrafts } from './drafts.js';
import { withModules } from '../playbook/modules.js';
import { checkAnswer } from './check-answer.js';
import { joinModules, recordDeadlineEvents, takeStep, type Run, type WalkChoices } from './runner.js';
import { CONDITION_SKIP, placedSteps, stepStanding, type PlacedStep } from './steps.js';

/** What a walk leaves to be judged: drafts asked for in the middle of a drill that had a hole. */
export interface WalkResult {
  readonly renderProblems: string[];
}

export async function walk(base: Run): Promise<WalkResult> {
  const renderProblems: string[] = [];
  const { incident, responder } = base;
  // Deadlines counted from the opening run from the start; modules the answers already call for join.
  await recordDeadlineEvents(base);
  await joinModules(base);
  /** Steps answered in this walk, latest last: where Back goes. */
  const history: PlacedStep[] = [];
  /** Where the log stood when this walk began: a step put off before it is offered again once. */
  const began = incident.state.entries;
  const offered = new Set<string>();
  let chosen: { placed: PlacedStep; again: boolean } | undefined;
  for (;;) {
    // Someone else may have answered, noted or closed meanwhile (issue 8): the walk sees it first.
    const added = await incident.refresh();
    if (added.length > 0) responder.tell?.(added);
    // Someone closed the incident meanwhile: nothing more is asked.
    incident.refuseClosed();
    // The playbook of the incident as it stands: a module may have joined since the last step.
    const playbook = withModules(base.playbook, incident.state.joined);
    const run: Run = { ...base, playbook };
    const steps = placedSteps(playbook);
    const placedNow = (p: PlacedStep | undefined) => (p ? steps.find((s) => s.step.id === p.step.id) : undefined);
    const picked = chosen && placedNow(chosen.placed) ? { placed: placedNow(chosen.placed)!, again: chosen.again } : undefined;
    const target = picked ?? (await nextInOrder(run, steps)) ?? takeUp(run, steps, began, offered);
    chosen = undefined;
    if (!target) return { renderProblems };
    const outcome = await takeStep(run, target.placed, { again: target.again, walk: choices(run, steps, history) });
    if ('entry' in outcome) {
      if (outcome.entry.type === 'step.answered') {
        history.push(target.placed);
        // A script's drafts for the middle of the run (its `render:`), once this answer is in.
        for (const template of responder.rendersAfter?.(target.placed.step.id) ?? []) await renderMidRun(run, template, renderProblems);
      }
      continue;
    }
    // A colleague's word on this step came first (they were told): the walk goes on from there.
    if ('superseded' in outcome) continue;
    const nav = outcome.navigate;
    switch (nav.kind) {
      case 'back': {
        const previous = history.pop();
        chosen = previous ? { placed: previous, again: true } : target;
        break;
      }
      case 'jump': {
        const placed = steps.find((p) => p.step.id === nav.step);
        chosen = placed ? { placed, again: incident.state.answers.has(placed.step.id) } : target;
        break;
      }
      case 'note':
        await incident.record('note.added', { text: nav.text });
        chosen = target;
        break;
      case 'attach':
        await incident.recordFiles([...nav.files], (stored) => ({ type: 'evidence.attached', data: { files: stored } }));
        chosen = target;
        break;
      case 'board':
        responder.showBoard?.(boardOf(playbook, incident.state, run.clock.now(), run.rules));
        chosen = target;
        break;
      case 'draft':
        await draftNow(run, steps, nav.template);
        // The notice may have needed this very step, and asked it.
        chosen = incident.state.answers.has(target.placed.step.id) ? undefined : target;
        break;
    }
  }
}

/** The first open step in the playbook's order; steps whose condition is false are recorded as skipped on the way. */
async function nextInOrder(run: Run, steps: readonly PlacedStep[]): Promise<{ placed: PlacedStep; again: false } | undefined> {
  const { incident } = run;
  for (const placed of steps) {
    const { step } = placed;
    const standing = stepStanding(step, incident.state, answerValues(incident.state));
    if (standing === 'open') return { placed, again: false };
    if (standing === 'condition_false') {
      const reason = CONDITION_SKIP + conditionInWords(step.when!);
      if (incident.state.skipped.get(step.id) !== reason) await incident.record('step.skipped', { step: step.id, reason });
    }
  }
  return undefined;
}

/**
 * When no step is open: a step put off or declined earlier, taken up once in this walk. A script
 * takes up the ones it now has an answer for; a person is offered a reminder that has come due
 * and what was put off before this session began (a duty starts at Not yet again).
 */
function takeUp(run: Run, steps: readonly PlacedStep[], began: number, offered: Set<string>): { placed: PlacedStep; again: false } | undefined {
  const { incident, responder } = run;
  const answers = answerValues(incident.state);
  const now = run.clock.now().getTime();
  for (const placed of steps) {
    const { step } = placed;
    if (offered.has(step.id)) continue;
    const standing = stepStanding(step, incident.state, answers);
    if (standing !== 'deferred' && standing !== 'declined') continue;
    const mark = (standing === 'deferred' ? incident.state.deferred : incident.state.declined).get(step.id)!;
    const wanted =
      responder.source === 'answers'
        ? responder.hasAnswer?.(step.id) === true
        : standing === 'deferred' && (mark.seq < began || (mark.until !== undefined && Date.parse(mark.until) <= now));
    if (!wanted) continue;
    offered.add(step.id);
    return { placed, again: false };
  }
  return undefined;
}

/** Files attached from the menu meet the attachment step's rule. */
const ATTACHING = { id: 'evidence', kind: 'attachment', prompt: 'Files to attach', required: true } as const;

function choices(run: Run, steps: readonly PlacedStep[], history: readonly PlacedStep[]): WalkChoices {
  const { incident, playbook } = run;
  return {
    canGoBack: history.length > 0,
    jumpTargets: () => {
      const answers = answerValues(incident.state);
      const rank = (standing: string): number => (standing === 'open' ? 0 : standing === 'deferred' || standing === 'declined' ? 1 : 2);
      return steps
        .map((placed) => ({ placed, standing: stepStanding(placed.step, incident.state, answers) }))
        .filter(({ standing }) => standing !== 'condition_false')
        .sort((a, b) => rank(a.standing) - rank(b.standing) || a.placed.index - b.placed.index)
        .map(({ placed, standing }) => ({
          id: placed.step.id,
          label: `${standing === 'open' ? '' : `[${standing === 'deferred' ? 'not yet' : standing === 'declined' ? "won't do" : standing}] `}${placed.step.prompt}`,
        }));
    },
    notices: playbook.notices.map((n) => n.template),
    checkFiles: (paths) => checkAnswer(ATTACHING, paths, { now: run.clock.now(), baseDir: run.responder.baseDir }),
  };
}

/**
 * A draft a script asked for in the middle of the run. One that would have a hole is a problem
 * to judge in a drill, and in a real run a stop (exit 2) naming the template and the hole.
 */
async function renderMidRun(run: Run, template: string, problems: string[]): Promise<void> {
  try {
    await recordDrafts(run, [template], run.clock.now());
  } catch (error) {
    if (!(run.judged && error instanceof InvalidDocument)) throw error;
    problems.push(...error.problems.map((p) => `mid-run draft ${template}: ${formatProblem(p)}`));
  }
}

/**
 * "Draft this notice now": the steps it still needs are asked first, in the playbook's order, and
 * then it is written. A step put off or declined instead leaves the notice unwritten, saying so.
 */
async function draftNow(run: Run, steps: readonly PlacedStep[], template: string): Promise<void> {
  const { incident, responder } = run;
  try {
    const asked = new Set<string>();
    for (;;) {
      const missing = (await missingAnswers(run, template, run.clock.now())).filter((id) => !asked.has(id));
      const next = steps.find((p) => p.step.id === missing[0]);
      if (!next) break;
      asked.add(next.step.id);
      const outcome = await takeStep(run, next, {});
      if (!('entry' in outcome) || outcome.entry.type !== 'step.answered') {
        responder.showDraft?.(template, { problem: `not written: it needs the answer to "${next.step.id}"` });
        return;
      }
    }
    const written = await recordDrafts(run, [template], run.clock.now());
    responder.showDraft?.(template, { files: written.map((d) => `${incident.dir}/${d.file}`) });
  } catch (error) {
    // A hole the answers cannot fill (an organisation field missing from the config): said, and the walk goes on.
    if (!(error instanceof InvalidDocument)) throw error;
    responder.showDraft?.(template, { problem: error.message });
  }
}
