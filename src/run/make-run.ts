/**
 * The one place a Run is built (STYLE point 14): the responder that fits how the step or steps
 * are answered (a prompt, an answers file, a value given on the command line), a drill's judging
 * responder around it, the deadline rules, and the Ctrl+C signal of a walk.
 */
import { displayZone, scriptZone, type Settings } from '../config/settings.js';
import { rulesOf } from '../deadlines/rules.js';
import type { Clock } from '../incident/clock.js';
import type { Incident } from '../incident/incident.js';
import type { CommonOptions } from '../options.js';
import type { Playbook } from '../playbook/types.js';
import type { Output } from '../ui/output.js';
import type { AnswersFile } from './answers-file.js';
import { DrillResponder } from './drill.js';
import { PromptResponder } from './prompts.js';
import type { Responder, Run } from './runner.js';
import { ScriptResponder, ValueResponder } from './script.js';
import { placedSteps } from './steps.js';

export interface RunParts {
  readonly incident: Incident;
  readonly playbook: Playbook;
  readonly settings: Settings;
  readonly clock: Clock;
  /** Where answers come from: an answers file (as the person named it), a `--value`, else a prompt. */
  readonly from: { readonly answers: AnswersFile; readonly path?: string | undefined } | { readonly value: string } | 'prompt';
  /** A drill judged at the end: a missing answer is a miss, not a stop. */
  readonly judged?: boolean;
  /** A walk that Ctrl+C pauses outside a prompt too. */
  readonly interruptible?: boolean;
}

export function makeRun(options: CommonOptions, out: Output, parts: RunParts): Run {
  const { incident, playbook, settings, clock, from } = parts;
  let responder: Responder =
    from === 'prompt'
      ? new PromptResponder({
          cwd: options.cwd,
          streams: { input: options.stdin, output: options.stderr },
          style: out.style,
          sensitive: new Set(placedSteps(playbook).filter((p) => p.step.sensitive).map((p) => p.step.id)),
          timeZone: displayZone(options, settings.config),
        })
      : 'answers' in from
        ? new ScriptResponder(from.answers, clock, scriptZone(settings.config))
        : new ValueResponder(from.value, options.cwd, scriptZone(settings.config));
  if (parts.judged) responder = new DrillResponder(responder);
  const answersPath = from !== 'prompt' && 'answers' in from ? from.path : undefined;
  return {
    incident,
    playbook,
    responder,
    clock,
    rules: rulesOf(playbook, settings),
    settings,
    ...(parts.interruptible && options.interrupt ? { signal: options.interrupt() } : {}),
    ...(answersPath ? { answersPath } : {}),
    ...(parts.judged ? { judged: true } : {}),
  };
}
