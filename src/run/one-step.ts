/**
 * One step of an incident, taken from the command line (issue 10): `do`, `amend`, `defer` and
 * `decline` open the incident for writing, find the step (a mistyped id gets the closest few),
 * refuse a step that does not apply, and act through the one runner.
 */
import { loadSettings, type Settings } from '../config/settings.js';
import { answerValues } from '../evidence/state.js';
import type { Incident } from '../incident/incident.js';
import { writeIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { conditionInWords, evaluate } from '../playbook/conditions.js';
import type { Playbook } from '../playbook/types.js';
import { InvalidInput } from '../ui/errors.js';
import type { Output } from '../ui/output.js';
import { makeRun } from './make-run.js';
import type { Run } from './runner.js';
import { findStep, type PlacedStep } from './steps.js';

export interface OneStep {
  readonly incident: Incident;
  readonly playbook: Playbook;
  readonly placed: PlacedStep;
  readonly settings: Settings;
}

/** Opens incident `id` for writing, finds `stepId` in it, and runs `act`; the incident is closed after. */
export async function withStep<T>(
  options: CommonOptions,
  out: Output,
  request: { id: string; step: string; responder?: string | undefined },
  act: (one: OneStep) => Promise<T>,
): Promise<T> {
  const settings = loadSettings(options);
  const incident = await writeIncident(options, request.id, settings.config, request.responder, (t) => out.message(t));
  try {
    incident.refuseClosed();
    const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn: (t) => out.message(t) });
    const placed = findStep(playbook, request.step, request.id);
    const { step } = placed;
    if (step.when && !evaluate(step.when, answerValues(incident.state))) {
      throw new InvalidInput(`step "${step.id}" does not apply to this incident: ${conditionInWords(step.when)} is false`);
    }
    return await act({ incident, playbook, placed, settings });
  } finally {
    incident.close();
  }
}

/** Refused before anything is asked when stdin cannot prompt and no `--value` was given. */
export function checkCanAsk(options: CommonOptions, value: string | undefined): void {
  if (value === undefined && options.stdin.isTTY !== true) {
    throw new InvalidInput('there is no terminal to ask for the answer (stdin is not a TTY); pass it with --value VALUE');
  }
}

/** The Run for one step: `--value` as the answer, else a prompt on the terminal. */
export function oneStepRun(options: CommonOptions, out: Output, one: OneStep, value: string | undefined): Run {
  const { incident, playbook, settings } = one;
  return makeRun(options, out, { incident, playbook, settings, clock: incident.clock!, from: value !== undefined ? { value } : 'prompt' });
}
