/**
 * `leakctl amend INCIDENT STEP [--value YAML]`: answer a step again, through the one runner. The
 * new answer is appended; the earlier one stays in the log, and replay takes the latest.
 * Deadlines are recomputed.
 */
import { displayZone, loadSettings, scriptZone } from '../config/settings.js';
import { rulesOf } from '../deadlines/rules.js';
import { SENSITIVE_PLACEHOLDER } from '../evidence/describe.js';
import { writeIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { conditionInWords, evaluate } from '../playbook/conditions.js';
import { answerValues } from '../evidence/state.js';
import { PromptResponder } from '../run/prompts.js';
import { answerStep, findStep, type Responder } from '../run/runner.js';
import { ValueResponder } from '../run/script.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, stepId: string, opts: { value?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  if (opts.value === undefined && options.stdin.isTTY !== true) {
    throw new InvalidInput('there is no terminal to ask for the new answer (stdin is not a TTY); pass it with --value VALUE');
  }
  const incident = await writeIncident(options, id, settings.config, opts.responder, (t) => out.message(t));
  try {
    incident.refuseClosed();
    const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn: (t) => out.message(t) });
    const placed = findStep(playbook, stepId, id);
    const { step } = placed;
    if (step.when && !evaluate(step.when, answerValues(incident.state))) {
      throw new InvalidInput(`step "${stepId}" does not apply to this incident: ${conditionInWords(step.when)} is false`);
    }
    const previous = incident.state.answers.get(stepId);
    if (previous) {
      const shown = step.sensitive ? SENSITIVE_PLACEHOLDER : printable(JSON.stringify(previous.value));
      out.message(`Earlier answer (entry #${previous.seq}): ${shown}`);
    }
    const responder: Responder =
      opts.value !== undefined
        ? new ValueResponder(opts.value, options.cwd, scriptZone(settings.config))
        : new PromptResponder({ cwd: options.cwd, streams: { input: options.stdin, output: options.stderr }, style: out.style, timeZone: displayZone(options, settings.config) });
    const entry = await answerStep(
      { incident, playbook, responder, clock: incident.clock!, rules: rulesOf(playbook, settings), settings },
      placed,
      { again: true },
    );
    if (options.json) out.json(entry);
    else out.message(`Amended step "${stepId}" of incident ${id} (entry #${entry.seq}); the earlier answer stays in the log.`);
  } finally {
    incident.close();
  }
  return 0;
}
