/**
 * One sitting at an incident: take the lock, walk the open steps, and end in one of three ways:
 * complete (summary, drafts), stopped by a missing or invalid scripted answer (exit 2 with the
 * resume command), or paused by Ctrl+C (`run.paused` logged, exit 130).
 */
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { holidaysOf } from '../deadlines/compute.js';
import type { CommonOptions } from '../options.js';
import type { AnswersFile } from './answers.js';
import { PromptResponder } from './prompts.js';
import { ScriptResponder } from './script.js';
import type { Config } from '../config/config.js';
import { noticesDue, renderAll, writeDrafts } from '../notices/drafts.js';
import type { WrittenDraft } from '../notices/drafts.js';
import { logFileOf } from '../evidence/log.js';
import type { EvidenceLog } from '../evidence/log.js';
import { applyEntry } from '../evidence/state.js';
import type { IncidentState } from '../evidence/state.js';
import { clockInWords } from '../deadlines/format.js';
import type { Playbook } from '../playbook/types.js';
import { formatProblem, Interrupted, InvalidDocument, InvalidInput } from '../ui/errors.js';
import type { Output } from '../ui/output.js';
import type { Clock } from './clock.js';
import { deadlineClocks, openSteps, runSteps } from './runner.js';
import type { Responder, RunInput } from './runner.js';
import type { DeadlineClock } from '../deadlines/compute.js';

/** What the runner needs, and what the session adds around it: output, pausing, drafts. */
export interface SessionInput extends RunInput {
  readonly signal?: AbortSignal;
  /** The answers file, for the resume hint when a scripted answer is missing. */
  readonly answersFile?: string;
  /** What rendering the drafts at the end needs. */
  readonly config: Config;
  readonly templateDirs: readonly string[];
  /** Report notices that cannot be rendered in the summary instead of stopping (drills). */
  readonly collectRenderProblems?: boolean;
}

export interface SessionSummary {
  readonly incident: string;
  readonly dir: string;
  readonly log: string;
  readonly result: 'complete';
  readonly answered: number;
  readonly skipped: number;
  readonly head: string | null;
  readonly entries: number;
  readonly deadlines: DeadlineClock[];
  readonly drafts: WrittenDraft[];
  /** Notices that could not be rendered (only when the session collects them: drills). */
  readonly renderProblems: string[];
}

/** Run the open steps (the caller holds the incident's lock). Throws for exit 2 and 130. */
export async function runSession(input: SessionInput): Promise<SessionSummary> {
  const { state, log, clock, actor } = input;
  await runWithPause(input);
  // SPEC section 3: when a run completes, the notices whose conditions hold are rendered.
  const now = clock.now();
  const renderInput = {
    playbook: input.playbook,
    state,
    config: input.config,
    templateDirs: input.templateDirs,
    deadlines: deadlineClocks(input.playbook, state, now, input.holidays),
    now,
  };
  let drafts: WrittenDraft[] = [];
  const renderProblems: string[] = [];
  try {
    const notices = await renderAll(renderInput, noticesDue(input.playbook, state));
    drafts = writeDrafts(notices, renderInput, input.incidentDir, log, actor);
  } catch (error) {
    // A drill that left a step unanswered can leave a notice with a hole: that is one more
    // thing the drill missed, to be judged with the rest, not a reason to stop before judging.
    if (!(input.collectRenderProblems && error instanceof InvalidDocument)) throw error;
    renderProblems.push(...error.problems.map(formatProblem));
  }
  return summarise(input, drafts, renderProblems);

  async function runWithPause(run: SessionInput): Promise<void> {
    const interrupted = (): never => {
      applyEntry(state, log.append('run.paused', actor, { reason: 'interrupted by the responder', at_step: nextOpenStep(run) ?? null }, clock.now()));
      throw new Interrupted(
        `Paused. Everything answered so far is in the evidence log.\nContinue with: leakctl resume ${state.id}`,
      );
    };
    try {
      const steps = runSteps(run);
      if (run.signal) {
        await Promise.race([
          steps,
          new Promise<never>((_, reject) => {
            if (run.signal!.aborted) reject(new Interrupted('interrupted'));
            run.signal!.addEventListener('abort', () => reject(new Interrupted('interrupted')), { once: true });
          }),
        ]);
      } else {
        await steps;
      }
    } catch (error) {
      if (error instanceof Interrupted) interrupted();
      if (error instanceof InvalidInput && run.answersFile) {
        throw new InvalidInput(
          `${error.message}\nEverything answered before it is in the evidence log. Add the answer, then continue with: leakctl resume ${state.id} --answers ${run.answersFile}`,
        );
      }
      throw error;
    }
  }
}

function nextOpenStep(input: SessionInput): string | undefined {
  return openSteps(input.playbook, input.state)[0]?.step.id;
}

function summarise(input: SessionInput, drafts: WrittenDraft[], renderProblems: string[]): SessionSummary {
  const { state } = input;
  return {
    incident: state.id,
    dir: input.incidentDir,
    log: logFileOf(input.incidentDir),
    result: 'complete',
    answered: state.answers.size,
    skipped: state.skipped.size,
    head: state.head,
    entries: state.entries,
    deadlines: deadlineClocks(input.playbook, state, input.clock.now(), input.holidays).filter((d) => d.status !== 'not_applicable'),
    drafts,
    renderProblems,
  };
}

/** The closing lines of a completed run, on stderr (stdout gets the JSON document with --json). */
export function reportSummary(summary: SessionSummary, out: Output, timeZone?: string): void {
  const { bold, dim, red, green } = out.style;
  out.message('');
  out.message(bold(`Incident ${summary.incident}: all steps done`) + dim(` (${summary.answered} answered, ${summary.skipped} skipped)`));
  for (const clock of summary.deadlines) {
    const line = `  ${clock.title}: ${clockInWords(clock, timeZone)}`;
    out.message(clock.status === 'overdue' || clock.status === 'met_late' ? red(line) : clock.status === 'met' ? green(line) : line);
  }
  if (summary.drafts.length > 0) {
    out.message(bold('Drafts, ready to paste:'));
    for (const draft of summary.drafts) out.message(`  ${join(summary.dir, draft.file)}`);
  }
  out.message(`Evidence log: ${summary.log}`);
  out.message(dim(`${summary.entries} entries, head ${summary.head ?? '-'}`));
}

export interface CommandSession {
  readonly options: CommonOptions;
  readonly settings: Settings;
  readonly out: Output;
  readonly playbook: Playbook;
  readonly state: IncidentState;
  readonly log: EvidenceLog;
  readonly incidentDir: string;
  readonly clock: Clock;
  readonly actor: string;
  /** The answers file of a scripted run (and its path as given, for messages). */
  readonly answers?: AnswersFile;
  readonly answersPath?: string;
  /** Lets a drill record a missing required answer as a miss instead of stopping. */
  readonly wrap?: (responder: Responder) => Responder;
  readonly collectRenderProblems?: boolean;
}

/** What start, resume and drill share: the responder (prompts or script) and the session. */
export function runCommandSession(session: CommandSession): Promise<SessionSummary> {
  const { options, settings, out, answers, clock } = session;
  const timeZone = settings.config.timezone;
  const responder: Responder = answers
    ? new ScriptResponder(answers, clock)
    : new PromptResponder({
        cwd: options.cwd,
        streams: { input: options.stdin, output: options.stderr },
        style: out.style,
        ...(timeZone ? { timeZone } : {}),
      });
  return runSession({
    playbook: session.playbook,
    state: session.state,
    log: session.log,
    incidentDir: session.incidentDir,
    responder: session.wrap ? session.wrap(responder) : responder,
    clock,
    actor: session.actor,
    holidays: holidaysOf(session.playbook, settings.config),
    config: settings.config,
    templateDirs: settings.templateDirs,
    ...(options.interrupt ? { signal: options.interrupt() } : {}),
    ...(session.answersPath ? { answersFile: session.answersPath } : {}),
    ...(session.collectRenderProblems ? { collectRenderProblems: true } : {}),
  });
}
