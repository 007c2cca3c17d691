/**
 * `leakctl drill PLAYBOOK --answers FILE [--junit FILE]`: a scripted run marked as a drill
 * (drafts bannered), then judged: exit 3 when a deadline that applies was missed in simulated time
 * or a required step was left unanswered, naming each with its due time and how late.
 */
import { dirname, resolve } from 'node:path';
import type { Settings } from '../config/settings.js';
import { listCalendarFiles, listTemplateFiles } from '../documents/files.js';
import { checkOutputPath, writeOutputFile } from '../evidence/durable.js';
import { withModules } from '../playbook/modules.js';
import type { Playbook } from '../playbook/types.js';
import type { AnswersFile } from '../run/answers-file.js';
import { displayZone } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { judgeDrill, junitXml } from '../run/drill.js';
import { deadlineClocks } from '../run/steps.js';
import { reportSummary, startSession } from '../run/session.js';
import { Output } from '../ui/output.js';
import { printableLine } from '../ui/text.js';

export interface DrillOptions {
  readonly answers: string;
  readonly junit?: string;
  readonly id?: string;
  readonly responder?: string;
}

/** The files an answers file attaches, where the run will look for them. */
function attachedFiles(playbook: Playbook, answers: AnswersFile): string[] {
  const files: string[] = [];
  for (const step of playbook.phases.flatMap((phase) => phase.steps)) {
    if (step.kind !== 'attachment') continue;
    const value = answers.answers.get(step.id)?.value;
    for (const given of typeof value === 'string' ? [value] : Array.isArray(value) ? value : []) {
      if (typeof given === 'string' && given !== '' && !given.includes('\0')) files.push(resolve(dirname(answers.file), given));
    }
  }
  return files;
}

export async function run(options: CommonOptions, ref: string, opts: DrillOptions): Promise<number> {
  const out = await Output.create(options);
  const junitFile = opts.junit !== undefined ? resolve(options.cwd, opts.junit) : undefined;
  // Before the drill runs: the report must not land on what the drill reads, or inside the incidents.
  // Everything the drill may read: the answers and the files they attach, the playbook, every
  // template and calendar it could be given, the config.
  const checkJunit = (playbook: Playbook, settings: Settings, answers: AnswersFile | undefined): void => {
    const inputs = [
      resolve(options.cwd, opts.answers),
      playbook.file,
      ...listTemplateFiles(settings.templateDirs).values(),
      ...listCalendarFiles(settings.calendarDirs).values(),
      ...(answers ? attachedFiles(playbook, answers) : []),
    ];
    if (settings.config.file) inputs.push(settings.config.file);
    checkOutputPath(junitFile!, opts.junit!, '--junit', { files: inputs, dirs: [options.incidentsDir] });
  };
  const { run, summary } = await startSession(options, out, { ...opts, playbook: ref, drill: true, judged: true, ...(junitFile ? { beforeOpening: checkJunit } : {}) });
  const { incident, clock, settings, rules } = run;
  // With the modules that joined during the drill: their required steps are judged too.
  const playbook = withModules(run.playbook, incident.state.joined);
  const endedAt = clock.now();
  const verdict = judgeDrill(playbook, incident.state, deadlineClocks(playbook, incident.state, endedAt, rules), endedAt, summary.renderProblems);

  if (junitFile) writeOutputFile(junitFile, junitXml(`leakctl drill ${playbook.id}`, incident.id, verdict), 'the JUnit report');
  if (options.json) {
    out.json({
      incident: incident.id,
      dir: summary.dir,
      playbook: playbook.id,
      result: verdict.passed ? 'pass' : 'fail',
      ended_at: verdict.ended_at,
      deadlines: verdict.deadlines,
      steps: verdict.steps,
      failures: verdict.failures,
      drafts: summary.drafts,
    });
  } else {
    reportSummary(summary, out, displayZone(options, settings.config));
    if (verdict.passed) {
      out.message(out.style.green(`Drill passed: ${verdict.deadlines.length} deadline(s) met, ${verdict.steps.length} required step(s) answered.`));
    } else {
      out.message(out.style.red(`Drill FAILED (${verdict.failures.length}):`));
      for (const failure of verdict.failures) out.message(out.style.red(`  ${printableLine(failure)}`));
    }
  }
  return verdict.passed ? 0 : 3;
}
