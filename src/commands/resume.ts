/**
 * `leakctl resume INCIDENT`: replay the log, show where the run stopped, and continue with the
 * open steps (prompts, or `--answers FILE` for the steps the log has not answered yet). A torn
 * last line left by a crash is set aside into a side file, never deleted.
 */
import { resolve } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { acquireLock } from '../evidence/lock.js';
import { EvidenceLog } from '../evidence/log.js';
import { applyEntry } from '../evidence/state.js';
import type { CommonOptions } from '../options.js';
import { loadAnswersFile } from '../run/answers.js';
import { clockFor } from '../run/clock.js';
import { playbookOfIncident, replayIncident, responderName } from '../run/incident.js';
import { existingIncident } from '../run/locate.js';
import { openSteps, placedSteps } from '../run/runner.js';
import { reportSummary, runCommandSession } from '../run/session.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';
import { checkAnswerSteps, NO_TERMINAL } from './start.js';

export interface ResumeOptions {
  readonly answers?: string;
  readonly responder?: string;
}

export async function run(options: CommonOptions, id: string, opts: ResumeOptions): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const dir = existingIncident(options, id);
  const scripted = opts.answers !== undefined;
  if (!scripted && options.stdin.isTTY !== true) throw new InvalidInput(NO_TERMINAL);
  const answers = scripted ? loadAnswersFile(resolve(options.cwd, opts.answers!)) : undefined;

  const lock = acquireLock(dir);
  let log: EvidenceLog | undefined;
  try {
    const { state } = await replayIncident(dir, id);
    if (state.closed) throw new InvalidInput(`incident ${id} is closed; its log is read-only`);
    const playbook = playbookOfIncident(state, settings, options.cwd, (text) => out.message(text));
    if (answers) checkAnswerSteps(answers, playbook.phases.flatMap((p) => p.steps.map((s) => s.id)));

    // A resumed scripted run continues its simulated time from the last entry, not from today,
    // and never from before it: the answers file's `now:` pinned the start of the first run.
    const clock = clockFor(options.now, scripted ? latest(answers?.now, state.lastAt) : undefined, scripted);
    const actor = responderName(opts.responder, answers?.responder, settings.config.responder, options.cwd);

    log = EvidenceLog.open(dir, { setAsideTorn: true, now: clock.now() });
    if (log.setAside) {
      out.message(`The last line of the log was torn by a crash; it was set aside in ${log.setAside.file} (${log.setAside.bytes} bytes) and the log continues without it.`);
    }
    const steps = placedSteps(playbook);
    const next = openSteps(playbook, state)[0];
    out.message(out.style.bold(`Resuming incident ${id}`) + ` (${state.answers.size} of ${steps.length} steps answered)`);
    if (next) out.message(`Next: phase ${next.phaseIndex + 1}/${playbook.phases.length}, step ${next.index + 1}/${steps.length}: ${printable(next.step.prompt)}`);
    applyEntry(state, log.append('run.resumed', actor, { at_step: next?.step.id ?? null }, clock.now()));

    const summary = await runCommandSession({
      options, settings, out, playbook, state, log, incidentDir: dir, clock, actor,
      ...(answers ? { answers } : {}),
      ...(opts.answers ? { answersPath: opts.answers } : {}),
    });
    if (options.json) out.json(summary);
    else reportSummary(summary, out, settings.config.timezone);
    return 0;
  } finally {
    log?.close();
    lock.release();
  }
}

/** The later of the answers file's `now:` and the last entry's time, as RFC 3339. */
function latest(pinned: string | undefined, last: Date | undefined): string | undefined {
  if (pinned === undefined) return last?.toISOString();
  if (last === undefined) return pinned;
  return Date.parse(pinned) >= last.getTime() ? pinned : last.toISOString();
}
