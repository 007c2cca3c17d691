/**
 * `leakctl amend INCIDENT STEP [--value YAML]`: answer a step again. The new answer is appended;
 * the earlier one stays in the log, and replay takes the latest. Deadlines are recomputed.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import { loadSettings } from '../config/settings.js';
import { answerValues, applyEntry } from '../evidence/state.js';
import { holidaysOf } from '../deadlines/compute.js';
import type { CommonOptions } from '../options.js';
import { conditionInWords, evaluate } from '../playbook/conditions.js';
import { checkAnswer, SENSITIVE_PLACEHOLDER } from '../run/answer.js';
import { commandNow, playbookOfIncident, replayIncident, responderName, withIncidentLog } from '../run/incident.js';
import { existingIncident } from '../run/locate.js';
import { PromptResponder } from '../run/prompts.js';
import { deadlineClocks, placedSteps, recordDeadlineEvents, recordedValue } from '../run/runner.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, stepId: string, opts: { value?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const dir = existingIncident(options, id);
  if (opts.value === undefined && options.stdin.isTTY !== true) {
    throw new InvalidInput('there is no terminal to ask for the new answer (stdin is not a TTY); pass it with --value VALUE');
  }
  const now = (): Date => commandNow(options);

  const entry = await withIncidentLog(dir, now(), async (log) => {
    const { state } = await replayIncident(dir, id);
    const playbook = playbookOfIncident(state, settings, options.cwd, (t) => out.message(t));
    const steps = placedSteps(playbook);
    const placed = steps.find((p) => p.step.id === stepId);
    if (!placed) {
      throw new InvalidInput(`incident ${id} (playbook ${playbook.id}) has no step "${stepId}"; its steps are: ${steps.map((p) => p.step.id).join(', ')}`);
    }
    const { step } = placed;
    const answers = answerValues(state);
    if (step.when && !evaluate(step.when, answers)) {
      throw new InvalidInput(`step "${stepId}" does not apply to this incident: ${conditionInWords(step.when)} is false`);
    }
    const actor = responderName(opts.responder, undefined, settings.config.responder, options.cwd);
    const previous = state.answers.get(stepId);
    if (previous) {
      const shown = step.sensitive ? SENSITIVE_PLACEHOLDER : printable(JSON.stringify(previous.value));
      out.message(`Earlier answer (entry #${previous.seq}): ${shown}`);
    }

    let value: unknown;
    if (opts.value !== undefined) {
      const raw = parseValue(opts.value);
      const checked = checkAnswer(step, raw, { now: now(), baseDir: options.cwd });
      if (!checked.ok) throw new InvalidInput(`--value for step "${stepId}" is invalid: ${checked.message}`);
      value = checked.value;
    } else {
      const responder = new PromptResponder({ cwd: options.cwd, streams: { input: options.stdin, output: options.stderr }, style: out.style });
      const context = {
        phase: placed.phase,
        phaseNumber: placed.phaseIndex + 1,
        phaseCount: playbook.phases.length,
        stepNumber: placed.index + 1,
        stepCount: steps.length,
        deadlines: [],
        now: now(),
      };
      const reply = await responder.ask({ ...step, required: true }, context, (raw) => checkAnswer(step, raw, { now: now(), baseDir: options.cwd }));
      if (reply.kind === 'skip') throw new InvalidInput('nothing was amended');
      value = reply.value;
    }
    value = await recordedValue(step, value, dir);
    const answered = log.append('step.answered', actor, { step: stepId, value, source: opts.value !== undefined ? 'answers' : 'prompt' }, now());
    applyEntry(state, answered);
    const holidays = holidaysOf(playbook, settings.config);
    recordDeadlineEvents(deadlineClocks(playbook, state, now(), holidays), state, (type, data) => applyEntry(state, log.append(type, actor, data, now())));
    return answered;
  });
  if (options.json) out.json(entry);
  else out.message(`Amended step "${stepId}" of incident ${id} (entry #${entry.seq}); the earlier answer stays in the log.`);
  return 0;
}

/** `--value` is YAML, so `true`, `12`, `[names, emails]` and `{a: done}` mean what they say. */
function parseValue(text: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch {
    return text;
  }
}
