/**
 * The prompt module: every question a person is asked goes through here (STYLE point 5): the
 * steps (the prompt responder), and the platform-or-member question that `start` asks first. It
 * shows where the run stands and the running deadline clocks, asks with @inquirer/prompts
 * (loaded only for interactive runs), validates with the same rule as scripted answers, and
 * turns Ctrl+C into the paused path. (Here rather than in ui/: its questions are the playbook's
 * steps, and the layer below the playbook cannot know them.)
 */
import type { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { clockInWords, displayTime } from '../deadlines/format.js';
import { inOffset } from '../time/moment.js';
import { isUtc as isUtcZone } from '../time/zoned-date.js';
import { otherInWords } from '../evidence/describe.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import type { Step } from '../playbook/types.js';
import { Interrupted } from '../ui/errors.js';
import { loadPromptLibrary } from '../ui/load-later.js';
import type { Styles } from '../ui/output.js';
import { printable } from '../ui/text.js';
import type { Checked } from './check-answer.js';
import type { Reply, Responder, StepContext } from './runner.js';
import { readTypedPaths } from './typed-paths.js';

type Prompts = typeof import('@inquirer/prompts');

export interface PromptStreams {
  readonly input: Readable;
  readonly output: Writable;
}

const SKIP = '__leakctl_skip__';
const SKIPPED_BY_RESPONDER = 'skipped by the responder';

export class PromptResponder implements Responder {
  readonly source = 'prompt' as const;
  readonly baseDir: string;
  readonly inputZone: string;
  private readonly streams: PromptStreams;
  private readonly style: Styles;
  private readonly timeZone: string;
  private readonly sensitive: ReadonlySet<string>;
  private prompts: Prompts | undefined;

  /** `timeZone`: where the person is (the display zone): times are shown, and read when typed without an offset, in it. */
  constructor(options: { cwd: string; streams: PromptStreams; style: Styles; timeZone: string; sensitive?: ReadonlySet<string> }) {
    this.baseDir = options.cwd;
    this.streams = options.streams;
    this.style = options.style;
    this.timeZone = options.timeZone;
    this.inputZone = options.timeZone;
    this.sensitive = options.sensitive ?? new Set();
  }

  /** What others added while this session waited at a prompt, before the next one (issue 8). */
  tell(entries: readonly EvidenceEntry[]): void {
    const shown = entries.filter((e) => !e.type.startsWith('deadline.') && !e.type.startsWith('run.'));
    if (shown.length === 0) return;
    this.streams.output.write(`\n${shown.map((e) => this.style.cyan(`+ ${printable(otherInWords(e, this.sensitive))}`)).join('\n')}\n`);
  }

  async ask(step: Step, context: StepContext, check: (raw: unknown) => Checked): Promise<Reply> {
    this.prompts ??= await loadPromptLibrary();
    this.showProgress(step, context);
    try {
      return await askStep(this.prompts, step, check, { input: this.streams.input, output: this.streams.output }, this.timeZone);
    } catch (error) {
      if (isPromptExit(error)) throw new Interrupted(`interrupted at step "${step.id}"`);
      throw error;
    }
  }

  private showProgress(step: Step, context: StepContext): void {
    const { bold, dim, yellow, red } = this.style;
    const lines = [
      '',
      bold(`Phase ${context.phaseNumber}/${context.phaseCount} · ${printable(context.phase.title)}`) +
        dim(`   step ${context.stepNumber}/${context.stepCount}${step.required ? '' : ' · optional'}`),
    ];
    for (const clock of context.deadlines) {
      const line = `⏱ ${printable(clock.title)}: ${clockInWords(clock, this.timeZone)}`;
      lines.push(clock.status === 'overdue' ? red(line) : yellow(line));
    }
    if (step.help) lines.push(dim(printable(step.help)));
    this.streams.output.write(lines.join('\n') + '\n');
  }
}

export interface PlaybookChoice {
  readonly value: string;
  readonly name: string;
  readonly description: string;
  readonly cause: string;
  readonly triage: Readonly<Record<string, unknown>>;
}

/**
 * The first question when no playbook is named: which kind of leak is this? The distinctions
 * come from the playbooks (`triage:`), side by side, one line per aspect.
 */
export async function choosePlaybook(choices: readonly PlaybookChoice[], streams: PromptStreams, style: Styles): Promise<string> {
  const lines = [style.bold('What kind of leak is this?')];
  for (const choice of choices.filter((c) => Object.keys(c.triage).length > 0)) {
    lines.push(style.bold(`  ${printable(choice.name)}`));
    for (const aspect of ['cause', 'scope', 'blame', 'control']) {
      const text = choice.triage[aspect];
      if (typeof text === 'string') lines.push(`    ${`${aspect[0]!.toUpperCase()}${aspect.slice(1)}:`.padEnd(9)} ${printable(text)}`);
    }
  }
  streams.output.write(`${lines.join('\n')}\n`);
  const { select } = await loadPromptLibrary();
  try {
    return await select(
      { message: 'Which playbook fits?', choices: choices.map(({ value, name, description }) => ({ value, name: printable(name), description: printable(description) })) },
      { input: streams.input, output: streams.output },
    );
  } catch (error) {
    if (isPromptExit(error)) throw new Interrupted('Stopped before an incident was opened; nothing was written.');
    throw error;
  }
}

/**
 * A time, as people type it (issue 9): `2026-12-01 21:40`, `yesterday 21:40`, `-2h`, `now` or
 * RFC 3339. What was typed without an offset is read in the person's zone and echoed back with
 * its offset; they confirm it, or type it again.
 */
async function askTime(prompts: Prompts, step: Step, check: (raw: unknown) => Checked, context: Context, timeZone: string, optionalHint: string, skip: Reply): Promise<Reply> {
  const ask = step.sensitive ? prompts.password : prompts.input;
  for (;;) {
    const text = await ask(
      {
        message: `${printable(step.prompt)} (e.g. 2026-03-02 09:30, yesterday 21:40, -2h, now; in ${timeZone})${optionalHint}`,
        ...(step.sensitive ? { mask: '*' } : {}),
        validate: (value: string) => {
          if (!step.required && value.trim() === '') return true;
          const checked = check(value);
          return checked.ok ? true : checked.message;
        },
      },
      context,
    );
    if (!step.required && text.trim() === '') return skip;
    const checked = check(text);
    if (!checked.ok) throw new Error(`prompt gave an invalid answer for ${step.id}: ${checked.message}`);
    const value = checked.value as string;
    // A sensitive time is not shown back on a screen others may see.
    if (step.sensitive) return { kind: 'answer', value };
    const at = new Date(Date.parse(value));
    const shown = `${displayTime(at, timeZone)}${isUtcZone(timeZone) ? '' : ` = ${inOffset(at, 'UTC')}`}`;
    // Typed with its offset (recorded as written) or `now`: nothing was interpreted. Otherwise, confirm the reading.
    if (value === text.trim() || text.trim().toLowerCase() === 'now') {
      context.output.write(`  → ${shown}\n`);
      return { kind: 'answer', value };
    }
    if (await prompts.confirm({ message: `Read as ${shown}. Is that right?`, default: true }, context)) return { kind: 'answer', value };
  }
}

/** Ctrl+C (or an aborted prompt) as the prompt library reports it. */
function isPromptExit(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

type Context = { input: Readable; output: Writable };

/** Ask one step with the prompt that fits its kind; exported for the prompt tests. */
export async function askStep(prompts: Prompts, step: Step, check: (raw: unknown) => Checked, context: Context, timeZone = 'UTC'): Promise<Reply> {
  const message = printable(step.prompt);
  const validate = (raw: unknown): true | string => {
    const checked = check(raw);
    return checked.ok ? true : checked.message;
  };
  const answer = (raw: unknown): Reply => {
    const checked = check(raw);
    if (!checked.ok) throw new Error(`prompt gave an invalid answer for ${step.id}: ${checked.message}`);
    return { kind: 'answer', value: checked.value };
  };
  const skip: Reply = { kind: 'skip', reason: SKIPPED_BY_RESPONDER };
  const optionalHint = step.required ? '' : ' (empty to skip)';

  switch (step.kind) {
    case 'info':
      await prompts.input({ message: `${message} (press Enter)` }, context);
      return answer(true);
    case 'confirm': {
      if (step.required) return answer(await prompts.confirm({ message }, context));
      const choice = await prompts.select(
        { message, choices: [{ name: 'Yes', value: 'yes' }, { name: 'No', value: 'no' }, { name: 'Skip this step', value: SKIP }] },
        context,
      );
      return choice === SKIP ? skip : answer(choice === 'yes');
    }
    case 'datetime':
      return askTime(prompts, step, check, context, timeZone, optionalHint, skip);
    case 'text':
    case 'number':
    case 'attachment': {
      const hint = step.kind === 'attachment' ? ' (drop files here, or type paths separated by commas)' : '';
      const toRaw = (text: string): unknown => (step.kind === 'attachment' ? readTypedPaths(text, check) : text);
      // A sensitive step's input is masked while typed, whatever its kind (issue 7): what the
      // responder types for it is for the log, not for a shared screen or a screen recording.
      // (confirm, select, multi and checklist pick from options shown on screen: nothing to mask.)
      const ask = step.sensitive ? prompts.password : prompts.input;
      const text = await ask(
        {
          message: `${message}${hint}${optionalHint}`,
          ...(step.sensitive ? { mask: '*' } : {}),
          validate: (value: string) => (!step.required && value.trim() === '') || validate(toRaw(value)),
        },
        context,
      );
      if (!step.required && text.trim() === '') return skip;
      return answer(toRaw(text));
    }
    case 'longtext': {
      // Multi-line input without leaving the terminal: one line at a time, an empty line ends it.
      const lines: string[] = [];
      const ask = step.sensitive ? prompts.password : prompts.input;
      for (;;) {
        const line = await ask(
          {
            message: lines.length === 0 ? `${message} (one paragraph per line; empty line to finish)${optionalHint}` : '…',
            ...(step.sensitive ? { mask: '*' } : {}),
          },
          context,
        );
        if (line.trim() === '') {
          if (lines.length === 0 && !step.required) return skip;
          const checked = validate(lines.join('\n'));
          if (checked === true) break;
          context.output.write(`${checked}\n`);
          continue;
        }
        lines.push(line);
      }
      return answer(lines.join('\n'));
    }
    case 'select': {
      const choices = (step.choices ?? []).map((c) => ({ name: printable(c.label), value: c.value }));
      if (!step.required) choices.push({ name: 'Skip this step', value: SKIP });
      const value = await prompts.select({ message, choices }, context);
      return value === SKIP ? skip : answer(value);
    }
    case 'multi': {
      const values = await prompts.checkbox(
        {
          message: `${message}${step.required ? '' : ' (none to skip)'}`,
          choices: (step.choices ?? []).map((c) => ({ name: printable(c.label), value: c.value })),
          validate: (chosen: readonly { value: string }[]) =>
            (!step.required && chosen.length === 0) || validate(chosen.map((c) => c.value)),
        },
        context,
      );
      if (!step.required && values.length === 0) return skip;
      return answer(values);
    }
    case 'checklist': {
      const items = step.items ?? [];
      const done = await prompts.checkbox(
        {
          message: `${message} (tick what is done; the rest is recorded as skipped)`,
          choices: items.map((i) => ({ name: printable(i.label), value: i.id })),
        },
        context,
      );
      if (!step.required && done.length === 0) return skip;
      return answer(Object.fromEntries(items.map((i) => [i.id, done.includes(i.id) ? 'done' : 'skipped'])));
    }
  }
}
