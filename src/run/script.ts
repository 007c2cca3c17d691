/**
 * The script responder: answers come from an answers file (SPEC section 3). `after:` moves the
 * simulated clock before the answer is recorded; a wrong answer or a missing required one stops
 * the run, naming the step, with everything before it already in the log.
 */
import { dirname } from 'node:path';
import type { Step } from '../playbook/types.js';
import { InvalidInput } from '../ui/errors.js';
import type { Checked } from './check-answer.js';
import type { AnswersFile } from './answers-file.js';
import { parseYamlValue } from '../documents/yaml.js';
import type { Clock } from '../incident/clock.js';
import type { Reply, Responder, StepContext } from './runner.js';

/** A required step the answers file does not answer (exit 2; drill judges it exit 3). */
export class MissingAnswer extends InvalidInput {
  readonly step: Step;
  readonly context: StepContext;
  constructor(step: Step, context: StepContext, file: string) {
    super(
      `step "${step.id}" (phase ${context.phaseNumber}/${context.phaseCount}, ${context.phase.title}: ${step.prompt}) is required, but ${file} has no answer for it`,
    );
    this.step = step;
    this.context = context;
  }
}

export class ScriptResponder implements Responder {
  readonly source = 'answers' as const;
  readonly baseDir: string;
  readonly inputZone: string;
  private readonly answers: AnswersFile;
  private readonly clock: Clock;

  /** `zone`: the organisation's (config), else UTC, never the machine's: a drill reads the same everywhere. */
  constructor(answers: AnswersFile, clock: Clock, zone = 'UTC') {
    this.answers = answers;
    this.clock = clock;
    this.baseDir = dirname(answers.file);
    this.inputZone = zone;
  }

  rendersAfter(stepId: string): readonly string[] {
    return this.answers.render.filter((r) => r.after === stepId).map((r) => r.template);
  }

  hasAnswer(stepId: string): boolean {
    const scripted = this.answers.answers.get(stepId);
    return scripted !== undefined && scripted.mark === undefined;
  }

  async ask(step: Step, context: StepContext, check: (raw: unknown) => Checked): Promise<Reply> {
    const scripted = this.answers.answers.get(step.id);
    if (!scripted) {
      if (!step.required) return { kind: 'skip', reason: `no answer in ${this.answers.file}` };
      throw new MissingAnswer(step, context, this.answers.file);
    }
    if (scripted.after) this.clock.advance(scripted.after);
    if (scripted.mark?.kind === 'defer') return { kind: 'defer', ...(scripted.mark.reason ? { reason: scripted.mark.reason } : {}) };
    if (scripted.mark?.kind === 'decline') return { kind: 'decline', reason: scripted.mark.reason };
    const checked = check(takesText(step) ? scripted.text : scripted.value);
    if (!checked.ok) {
      const { line, col } = scripted.position;
      throw new InvalidInput(`${this.answers.file}:${line}:${col} the answer for step "${step.id}" is invalid: ${checked.message}`);
    }
    return { kind: 'answer', value: checked.value };
  }
}

/** A text step takes the characters written, whatever YAML made of them (`00123`, `1.10`; issue 9). */
function takesText(step: Step): boolean {
  return step.kind === 'text' || step.kind === 'longtext';
}

/** Answers for steps that the playbook does not have: exit 2 naming each. */
export function unknownAnswerSteps(answers: AnswersFile, stepIds: ReadonlySet<string>): string[] {
  return [...answers.answers.entries()]
    .filter(([id]) => !stepIds.has(id))
    .map(([id, a]) => `${answers.file}:${a.position.line}:${a.position.col} answer for step "${id}", which the playbook does not have`);
}

/**
 * The answer given on the command line (`amend --value`): the characters as given for a text
 * step; YAML for the others, so `true`, `12`, `[names, emails]` and `{a: done}` mean what they
 * say, and anything that is not YAML is taken as text.
 */
export class ValueResponder implements Responder {
  readonly source = 'answers' as const;
  readonly baseDir: string;
  readonly inputZone: string;
  private readonly text: string;

  constructor(text: string, baseDir: string, zone: string) {
    this.baseDir = baseDir;
    this.inputZone = zone;
    this.text = text;
  }

  async ask(step: Step, _context: StepContext, check: (raw: unknown) => Checked): Promise<Reply> {
    // A text step takes the characters given on the command line, exactly: the shell has
    // already done the quoting, and YAML would eat `#2 back` as a comment. Other kinds are read
    // as YAML (the same parser, schema and bounds as every document), so `[names, emails]` is a
    // list and `00123` a number.
    let raw: unknown = this.text;
    if (!takesText(step)) {
      const parsed = parseYamlValue('--value', this.text);
      if (parsed) raw = parsed.value;
    }
    const checked = check(raw);
    if (!checked.ok) throw new InvalidInput(`--value for step "${step.id}" is invalid: ${checked.message}`);
    return { kind: 'answer', value: checked.value };
  }
}
