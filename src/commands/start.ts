/**
 * `leakctl start [PLAYBOOK]`: open an incident and run it, with prompts in a terminal or from
 * `--answers FILE`. Without PLAYBOOK, a first question tells a platform-caused leak from a
 * member-caused one (the playbooks' own summaries carry the distinctions) and picks the playbook.
 */
import { resolve } from 'node:path';
import { loadSettings } from '../config/settings.js';
import type { IncidentState } from '../evidence/state.js';
import type { Playbook } from '../playbook/types.js';
import type { Clock } from '../run/clock.js';
import { DrillResponder } from '../run/drill.js';
import type { Responder } from '../run/runner.js';
import type { SessionSummary } from '../run/session.js';
import type { Settings } from '../config/settings.js';
import { acquireLock } from '../evidence/lock.js';
import type { IncidentLock } from '../evidence/lock.js';
import { EvidenceLog } from '../evidence/log.js';
import { applyEntry, emptyState } from '../evidence/state.js';
import type { CommonOptions } from '../options.js';
import { listPlaybookFiles, loadPlaybook } from '../playbook/discover.js';
import { loadYamlFileFast } from '../documents/fast.js';
import { PLAYBOOK_WHAT } from '../playbook/load.js';
import { loadAnswersFile } from '../run/answers.js';
import type { AnswersFile } from '../run/answers.js';
import { clockFor } from '../run/clock.js';
import { responderName } from '../run/incident.js';
import { checkIncidentId, incidentDirOf } from '../run/locate.js';
import { unknownAnswerSteps } from '../run/script.js';
import { reportSummary, runCommandSession } from '../run/session.js';
import { InvalidInput, Interrupted } from '../ui/errors.js';
import { loadPromptLibrary } from '../ui/load-later.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export interface StartOptions {
  readonly answers?: string;
  readonly id?: string;
  readonly responder?: string;
  readonly drill?: boolean;
}

export const NO_TERMINAL =
  'there is no terminal to ask the questions in (stdin is not a TTY); for a scripted run pass --answers FILE (its format: leakctl schema answers)';

export async function run(options: CommonOptions, ref: string | undefined, opts: StartOptions): Promise<number> {
  const out = await Output.create(options);
  const started = await startIncident(options, out, ref, opts);
  if (options.json) out.json({ ...started.summary, drill: started.drill });
  else reportSummary(started.summary, out, started.settings.config.timezone);
  return 0;
}

export interface Started {
  readonly summary: SessionSummary;
  readonly state: IncidentState;
  readonly playbook: Playbook;
  readonly settings: Settings;
  readonly clock: Clock;
  readonly drill: boolean;
}

/**
 * Open an incident and run it to the end: shared by `start` and `drill`. A judged drill goes on
 * past a missing required answer and a notice it cannot render, so that it can judge them all.
 */
export async function startIncident(
  options: CommonOptions,
  out: Output,
  ref: string | undefined,
  opts: StartOptions,
  judged = false,
): Promise<Started> {
  const settings = loadSettings(options);
  const scripted = opts.answers !== undefined;
  if (!scripted && options.stdin.isTTY !== true) throw new InvalidInput(NO_TERMINAL);
  const answers = scripted ? loadAnswersFile(resolve(options.cwd, opts.answers!)) : undefined;

  let playbookRef = ref;
  if (playbookRef === undefined) {
    if (scripted) throw new InvalidInput('name the playbook to run: leakctl start PLAYBOOK --answers FILE (leakctl list shows them)');
    playbookRef = await choosePlaybook(options, settings, out);
  }
  const playbook = loadPlaybook(playbookRef, settings, options.cwd);
  if (answers) checkAnswerSteps(answers, playbook.phases.flatMap((p) => p.steps.map((s) => s.id)));

  const clock = clockFor(options.now, answers?.now, scripted);
  const id = checkIncidentId(opts.id ?? `${playbook.id}-${compactUtc(clock.now())}`);
  const dir = incidentDirOf(options, id);
  const actor = responderName(opts.responder, answers?.responder, settings.config.responder, options.cwd);
  const drill = opts.drill === true;

  const log = EvidenceLog.create(dir, { now: clock.now() });
  if (log.setAside) {
    out.message(`A start of incident ${id} was cut off before its first entry; its torn line was set aside in ${log.setAside.file} (${log.setAside.bytes} bytes), and the incident starts afresh.`);
  }
  let lock: IncidentLock;
  try {
    lock = acquireLock(dir, { now: clock.now() });
  } catch (error) {
    log.close();
    throw error;
  }
  try {
    const state = emptyState(id);
    const opened = {
      playbook: {
        id: playbook.id,
        title: playbook.title,
        ...(playbook.version !== undefined ? { version: playbook.version } : {}),
        sha256: playbook.sha256,
        file: playbook.file,
      },
      drill,
      responder: actor,
    };
    applyEntry(state, log.append('incident.opened', actor, opened, clock.now()));
    out.message(`${out.style.bold(`Opened incident ${id}`)}${drill ? ' (drill)' : ''}: ${printable(playbook.title)}`);
    out.message(out.style.dim(`Evidence log: ${dir}`));

    const summary = await runCommandSession({
      options, settings, out, playbook, state, log, incidentDir: dir, clock, actor,
      ...(judged ? { wrap: (responder: Responder) => new DrillResponder(responder), collectRenderProblems: true } : {}),
      ...(answers ? { answers } : {}),
      ...(opts.answers ? { answersPath: opts.answers } : {}),
    });
    return { summary, state, playbook, settings, clock, drill };
  } finally {
    log.close();
    lock.release();
  }
}

/** Exit 2 for answers to steps the playbook does not have, before anything is written. */
export function checkAnswerSteps(answers: AnswersFile, stepIds: readonly string[]): void {
  const unknown = unknownAnswerSteps(answers, new Set(stepIds));
  if (unknown.length > 0) throw new InvalidInput(unknown.join('\n'));
}

/** yyyyMMdd-HHmmss in UTC, for default incident ids. */
function compactUtc(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The first question when no playbook is named: which kind of leak is this? */
async function choosePlaybook(options: CommonOptions, settings: Settings, out: Output): Promise<string> {
  const choices = [...listPlaybookFiles(settings.playbookDirs)].flatMap(([id, file]) => {
    try {
      const data = loadYamlFileFast(file, PLAYBOOK_WHAT).data;
      const triage = (typeof data.triage === 'object' && data.triage !== null ? data.triage : {}) as Record<string, unknown>;
      return [{ value: id, name: printable(String(data.title ?? id)), description: printable(String(data.summary ?? '')), cause: String(data.cause ?? ''), triage }];
    } catch {
      return [];
    }
  });
  if (choices.length === 0) throw new InvalidInput('no playbooks found; add a directory with --playbooks DIR');
  const order = ['platform', 'member', 'other'];
  choices.sort((a, b) => order.indexOf(a.cause) - order.indexOf(b.cause) || a.value.localeCompare(b.value));
  // The distinctions come from the playbooks (`triage:`), side by side, one line per aspect.
  out.message(out.style.bold('What kind of leak is this?'));
  for (const choice of choices.filter((c) => Object.keys(c.triage).length > 0)) {
    out.message(out.style.bold(`  ${choice.name}`));
    for (const aspect of ['cause', 'scope', 'blame', 'control']) {
      const text = choice.triage[aspect];
      if (typeof text === 'string') out.message(`    ${`${aspect[0]!.toUpperCase()}${aspect.slice(1)}:`.padEnd(9)} ${printable(text)}`);
    }
  }
  const { select } = await loadPromptLibrary();
  try {
    return await select(
      { message: 'Which playbook fits?', choices: choices.map(({ value, name, description }) => ({ value, name, description })) },
      { input: options.stdin, output: options.stderr },
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new Interrupted('Stopped before an incident was opened; nothing was written.');
    throw error;
  }
}
