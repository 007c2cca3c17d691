/**
 * One sitting at an incident, begun by `start` (a new incident), `resume` or `drill`: build the
 * Run, walk the open steps, and end in one of three ways: complete (drafts, summary), stopped by
 * a missing or invalid scripted answer (exit 2 with the resume command), or paused by Ctrl+C
 * (`run.paused` recorded, exit 130). The lock is never held here: the Incident takes it for each
 * write, so a colleague's `note` lands while a prompt waits.
 */
import { join, resolve } from 'node:path';
import { loadSettings, type Settings } from '../config/settings.js';
import type { DeadlineClock } from '../deadlines/compute.js';
import { clockInWords } from '../deadlines/format.js';
import { listPlaybookFiles } from '../documents/files.js';
import { loadDocument } from '../documents/load.js';
import { chainOf, responderName } from '../incident/actor.js';
import { clockFor, SimulatedClock, type Clock } from '../incident/clock.js';
import { Incident, type WrittenDraft } from '../incident/incident.js';
import { checkIncidentId } from '../incident/locate.js';
import { printSealed, sealIncident, tsaOf } from '../incident/seal.js';
import { playbookOf } from '../incident/playbook.js';
import { contactWarning, noticesDue } from '../notices/drafts.js';
import { answerValues } from '../evidence/state.js';
import type { CommonOptions } from '../options.js';
import { loadPlaybook } from '../playbook/discover.js';
import { PLAYBOOK_WHAT } from '../playbook/load.js';
import type { Playbook } from '../playbook/types.js';
import { formatProblem, Interrupted, InvalidDocument, InvalidInput, LeakctlError } from '../ui/errors.js';
import type { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';
import { loadAnswersFile, type AnswersFile } from './answers-file.js';
import { readiness, recordDrafts, type WaitingNotice } from './drafts.js';
import { askResponder, askSignatory, choosePlaybook, type PlaybookChoice } from './prompts.js';
import type { Run } from './runner.js';
import { deadlineClocks, openSteps, placedSteps } from './steps.js';
import { allStepIds, withModules } from '../playbook/modules.js';
import { walk, type WalkResult } from './walk.js';
import { makeRun } from './make-run.js';
import { unknownAnswerSteps } from './script.js';

const NO_TERMINAL =
  'there is no terminal to ask the questions in (stdin is not a TTY); for a scripted run pass --answers FILE (its format: leakctl schema answers)';

export interface SessionSummary {
  readonly incident: string;
  readonly dir: string;
  readonly log: string;
  /** `open`: the walk went past steps deferred ("not yet"); `next` and `do` take them up. */
  readonly result: 'complete' | 'open';
  readonly answered: number;
  readonly skipped: number;
  readonly deferred: string[];
  readonly declined: string[];
  readonly head: string | null;
  readonly entries: number;
  readonly deadlines: DeadlineClock[];
  readonly drafts: WrittenDraft[];
  /** Notices not rendered yet because a deferred or declined step holds an answer they need. */
  readonly waiting: WaitingNotice[];
  /** Notices that could not be rendered (only when the run is judged: drills). */
  readonly renderProblems: string[];
  /** What the responder should check in the drafts before sending (a contact on another domain). */
  readonly warnings: string[];
}

export interface Session {
  readonly run: Run;
  readonly summary: SessionSummary;
}

export interface StartRequest {
  /** A playbook id or path; asked for in a terminal when absent. */
  readonly playbook?: string;
  readonly answers?: string;
  readonly id?: string;
  readonly responder?: string;
  readonly drill?: boolean;
  /** A drill judged at the end: it goes on past a missing answer and a notice it cannot render. */
  readonly judged?: boolean;
  /**
   * Called with the playbook and settings once both are loaded, before anything is written: where
   * a command checks what it will write against what the run reads (drill --junit).
   */
  readonly beforeOpening?: (playbook: Playbook, settings: Settings, answers: AnswersFile | undefined) => void;
}

/** Opens a new incident and runs it to the end (start, drill). */
export async function startSession(options: CommonOptions, out: Output, request: StartRequest): Promise<Session> {
  const settings = loadSettings(options);
  const answers = scriptOf(options, request.answers);
  let ref = request.playbook;
  if (ref === undefined) {
    if (answers) throw new InvalidInput('name the playbook to run: leakctl start PLAYBOOK --answers FILE (leakctl list shows them)');
    ref = await choosePlaybook(playbookChoices(settings), { input: options.stdin, output: options.stderr }, out.style);
  }
  const playbook = loadPlaybook(ref, settings, options.cwd);
  if (answers) checkAnswerSteps(answers, playbook);
  request.beforeOpening?.(playbook, settings, answers);

  const clock = clockFor(options.now, answers?.now, answers !== undefined);
  const id = checkIncidentId(request.id ?? `${playbook.id}-${compactUtc(clock.now())}`);
  let actor = responderName(request.responder, answers?.responder, settings.config.responder, options.cwd);
  // A person at a prompt, named nowhere: asked, with what git or the system knows offered.
  let signatory: { name: string; role?: string } | undefined;
  if (!answers && request.responder === undefined && settings.config.responder === undefined) {
    actor = await askResponder(actor, { input: options.stdin, output: options.stderr }, out.style);
    // And who signs, unless the config says: never a name taken in silence.
    if (!settings.config.org.signatory) signatory = await askSignatory(actor, { input: options.stdin, output: options.stderr });
  } else if (request.responder === undefined && answers?.responder === undefined && settings.config.responder === undefined) {
    // A script named no one: said, not taken in silence.
    out.message(`Responder: ${printable(actor)} (git's user.name or the system user); name one with responder: in the answers file or the config, or --responder`);
  }
  const drill = request.drill === true;
  const incident = await Incident.create({
    incidentsDir: options.incidentsDir,
    id,
    writer: { actor, clock, chain: chainOf(settings.config.responder) },
    opening: {
      playbook: { id: playbook.id, title: playbook.title, ...(playbook.version !== undefined ? { version: playbook.version } : {}), sha256: playbook.sha256, file: playbook.file, ...(playbook.regimes_sha256 ? { regimes_sha256: playbook.regimes_sha256 } : {}) },
      drill,
      ...(signatory ? { signatory } : {}),
    },
    warn: (text) => out.message(text),
  });
  try {
    out.message(`${out.style.bold(`Opened incident ${id}`)}${drill ? ' (drill)' : ''}: ${printable(playbook.title)}`);
    out.message(out.style.dim(`Evidence log: ${incident.dir}`));
    const run = makeRun(options, out, { incident, playbook, settings, clock, from: answers ? { answers, path: request.answers } : 'prompt', judged: request.judged === true, interruptible: true });
    return { run, summary: await runSession(run, out) };
  } finally {
    incident.close();
  }
}

/** Continues an incident from where its log stands (resume). */
export async function resumeSession(options: CommonOptions, out: Output, id: string, request: { answers?: string; responder?: string }): Promise<Session> {
  const settings = loadSettings(options);
  const answers = scriptOf(options, request.answers);
  const actor = responderName(request.responder, answers?.responder, settings.config.responder, options.cwd);
  // A resumed scripted run continues its simulated time from the last entry, not from today, and
  // never from before it: the answers file's `now:` pinned the start of the first run. A `--now`
  // earlier than the last entry is refused by the Incident.
  const clock: Clock = clockFor(options.now, answers?.now, answers !== undefined);
  const incident = await Incident.open({
    incidentsDir: options.incidentsDir,
    id,
    warn: (text) => out.message(text),
    writer: (state) => {
      if (options.now === undefined && clock instanceof SimulatedClock && state.lastAt) clock.catchUp(state.lastAt);
      return { actor, clock, chain: chainOf(settings.config.responder) };
    },
  });
  try {
    incident.refuseClosed();
    const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn: (text) => out.message(text) });
    if (answers) checkAnswerSteps(answers, playbook);
    const steps = placedSteps(playbook);
    const next = openSteps(playbook, incident.state)[0];
    out.message(out.style.bold(`Resuming incident ${id}`) + ` (${incident.state.answers.size} of ${steps.length} steps answered)`);
    if (next) out.message(`Next: phase ${next.phaseIndex + 1}/${playbook.phases.length}, step ${next.index + 1}/${steps.length}: ${printable(next.step.prompt)}`);
    await incident.record('run.resumed', { at_step: next?.step.id ?? null });
    const run = makeRun(options, out, { incident, playbook, settings, clock, from: answers ? { answers, path: request.answers } : 'prompt', interruptible: true });
    return { run, summary: await runSession(run, out) };
  } finally {
    incident.close();
  }
}

/** The answers file of a scripted run, or none; without one there must be a terminal. */
function scriptOf(options: CommonOptions, given: string | undefined): AnswersFile | undefined {
  if (given === undefined) {
    if (options.stdin.isTTY !== true) throw new InvalidInput(NO_TERMINAL);
    return undefined;
  }
  return loadAnswersFile(resolve(options.cwd, given));
}

/**
 * Seals the log as the session ends, completed or paused, when the config asks for it
 * (`seal_at_session_end:`) and names a signing key (issue 16); drills are not sealed. A seal that
 * fails is said and leaves the session as it ended: the log is whole either way.
 */
async function sealAtEnd(run: Run, out: Output): Promise<void> {
  const config = run.settings.config;
  if (!sealsAtEnd(run) || config.signingKey === undefined) return;
  try {
    const sealed = await sealIncident(run.incident, config.signingKey, config.allowedSigners, tsaOf(config));
    printSealed(out, sealed, run.incident.dir, config.allowedSigners);
  } catch (error) {
    if (!(error instanceof LeakctlError)) throw error;
    out.message(out.style.yellow(`warning: the log was not sealed at the end of the session: ${error.message}`));
  }
}

/** Whether this session is sealed as it ends: the config asks, names a key, and it is no drill. */
function sealsAtEnd(run: Run): boolean {
  const config = run.settings.config;
  return config.sealAtSessionEnd === true && config.signingKey !== undefined && !run.incident.drill;
}

/** Walks the open steps, then renders the notices that are due. Throws for exit 2 and 130. */
async function runSession(run: Run, out: Output): Promise<SessionSummary> {
  const summary = await runSessionUnsealed(run, out);
  await sealAtEnd(run, out);
  return summary;
}

async function runSessionUnsealed(run: Run, out: Output): Promise<SessionSummary> {
  const { incident, playbook, clock } = run;
  const walked = await walkWithPause(run, out);
  // SPEC section 3: when a run completes, the notices whose conditions hold are rendered.
  let drafts: WrittenDraft[] = [];
  const renderProblems: string[] = [...walked.renderProblems];
  let waiting: WaitingNotice[] = [];
  const due = noticesDue(playbook, incident.state);
  if (!run.judged && incident.state.deferred.size + incident.state.declined.size > 0) {
    // Steps were put off or declined: a notice that needs one of their answers waits for it
    // (never written with a hole); the others are written now.
    const split = await readiness(run, due, clock.now());
    waiting = split.waiting;
    if (split.ready.length > 0) drafts = await recordDrafts(run, split.ready, clock.now());
  } else {
    try {
      drafts = await recordDrafts(run, due, clock.now());
    } catch (error) {
      // A drill that left a step unanswered can leave a notice with a hole: that is one more
      // thing the drill missed, to be judged with the rest, not a reason to stop before judging.
      if (!(run.judged && error instanceof InvalidDocument)) throw error;
      renderProblems.push(...error.problems.map(formatProblem));
    }
  }
  const state = incident.state;
  return {
    incident: incident.id,
    dir: incident.dir,
    log: incident.logFile,
    // Steps put off, or waiting for what they need: the run went past them, and they are still to do.
    result: state.deferred.size > 0 || openSteps(withModules(playbook, state.joined), state).length > 0 ? 'open' : 'complete',
    answered: state.answers.size,
    skipped: state.skipped.size,
    deferred: [...state.deferred.keys()],
    declined: [...state.declined.keys()],
    head: state.head,
    entries: state.entries,
    deadlines: deadlineClocks(playbook, state, clock.now(), run.rules).filter((d) => d.status !== 'not_applicable'),
    drafts,
    waiting,
    renderProblems,
    warnings: drafts.length > 0 ? [contactWarning(run.settings.config, answerValues(state), incident.id)].filter((w): w is string => w !== undefined) : [],
  };
}

async function walkWithPause(run: Run, out: Output): Promise<WalkResult> {
  const { incident } = run;
  try {
    const steps = walk(run);
    const signal = run.signal;
    if (signal) {
      return await Promise.race([
        steps,
        new Promise<never>((_, reject) => {
          if (signal.aborted) reject(new Interrupted('interrupted'));
          signal.addEventListener('abort', () => reject(new Interrupted('interrupted')), { once: true });
        }),
      ]);
    }
    return await steps;
  } catch (error) {
    if (error instanceof Interrupted) {
      // Chosen from the menu: paused where the person was, exit 0. Ctrl+C: interrupted, exit 130.
      const at = error.pausedAt ?? openSteps(withModules(run.playbook, incident.state.joined), incident.state)[0]?.step.id ?? null;
      await incident.record('run.paused', { reason: error.pausedAt !== undefined ? 'paused by the responder' : 'interrupted by the responder', at_step: at });
      // Ctrl+C means leave now: no passphrase or key touch is asked for on the way out.
      if (error.pausedAt !== undefined) await sealAtEnd(run, out);
      else if (sealsAtEnd(run)) out.message(out.style.yellow(`Not sealed, since the session was interrupted: leakctl seal ${incident.id} seals it.`));
      throw new Interrupted(`Paused. Everything answered so far is in the evidence log.\nContinue with: leakctl resume ${incident.id}`, error.pausedAt);
    }
    if (error instanceof InvalidInput && run.answersPath) {
      throw new InvalidInput(
        `${error.message}\nEverything answered before it is in the evidence log. Add the answer, then continue with: leakctl resume ${incident.id} --answers ${run.answersPath}`,
      );
    }
    throw error;
  }
}

/** The closing lines of a completed run, on stderr (stdout gets the JSON document with --json). */
export function reportSummary(summary: SessionSummary, out: Output, timeZone?: string): void {
  const { bold, dim, red, green, yellow } = out.style;
  out.message('');
  const counts = `${summary.answered} answered, ${summary.skipped} skipped${summary.deferred.length ? `, ${summary.deferred.length} not yet` : ''}${summary.declined.length ? `, ${summary.declined.length} declined` : ''}`;
  out.message(bold(`Incident ${summary.incident}: ${summary.result === 'complete' ? 'all steps done' : 'every step seen; some are not done yet'}`) + dim(` (${counts})`));
  if (summary.deferred.length > 0) out.message(`Not yet: ${summary.deferred.join(', ')}. When you can: leakctl next ${summary.incident}`);
  for (const clock of summary.deadlines) {
    const line = `  ${printable(clock.title)}: ${clockInWords(clock, timeZone)}`;
    out.message(clock.status === 'overdue' || clock.status === 'met_late' ? red(line) : clock.status === 'met' ? green(line) : line);
  }
  if (summary.drafts.length > 0) {
    out.message(bold('Drafts, ready to paste:'));
    for (const draft of summary.drafts) out.message(`  ${join(summary.dir, draft.file)}`);
  }
  for (const warning of summary.warnings) out.message(yellow(warning));
  for (const notice of summary.waiting) out.message(`Not rendered yet: ${notice.template}, which needs ${notice.steps.join(', ')}. Once answered: leakctl render ${summary.incident}`);
  out.message(`Evidence log: ${summary.log}`);
  out.message(dim(`${summary.entries} entries, head ${summary.head ?? '-'}`));
  out.message(dim(summary.result === 'complete' ? `Next: leakctl close ${summary.incident} once nothing more is to be done` : `Next: leakctl next ${summary.incident}`));
}

/** Exit 2 for answers to steps the playbook does not have, before anything is written. */
function checkAnswerSteps(answers: AnswersFile, playbook: Playbook): void {
  // A module's steps may be answered too: the module joins when the answers call for it.
  const ids = allStepIds(playbook);
  const unknown = [
    ...unknownAnswerSteps(answers, ids),
    ...answers.render.flatMap((r, i) => (ids.has(r.after) ? [] : [`${answers.file}: render item ${i + 1} waits for step "${r.after}", which the playbook does not have`])),
  ];
  if (unknown.length > 0) throw new InvalidInput(unknown.join('\n'));
}

/** yyyyMMdd-HHmmss in UTC, for default incident ids. */
function compactUtc(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The playbooks `start` offers when none is named, with the distinctions their `triage:` carries. */
function playbookChoices(settings: Settings): PlaybookChoice[] {
  const choices = [...listPlaybookFiles(settings.playbookDirs)].flatMap(([id, file]) => {
    try {
      const data = loadDocument(file, PLAYBOOK_WHAT).data;
      const triage = (typeof data.triage === 'object' && data.triage !== null ? data.triage : {}) as Record<string, unknown>;
      return [{ value: id, name: String(data.title ?? id), description: String(data.summary ?? ''), cause: String(data.cause ?? ''), triage }];
    } catch {
      return [];
    }
  });
  if (choices.length === 0) throw new InvalidInput('no playbooks found; add a directory with --playbooks DIR');
  const order = ['platform', 'member', 'other'];
  return choices.sort((a, b) => order.indexOf(a.cause) - order.indexOf(b.cause) || a.value.localeCompare(b.value));
}
