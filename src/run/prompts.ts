/**
 * The prompt module: every question a person is asked goes through here (STYLE point 5): the
 * steps (the prompt responder), and the platform-or-member question that `start` asks first. It
 * shows where the run stands and the running deadline clocks, asks with @inquirer/prompts
 * (loaded only for interactive runs), validates with the same rule as scripted answers, and
 * turns Ctrl+C into the paused path. (Here rather than in ui/: its questions are the playbook's
 * steps, and the layer below the playbook cannot know them.)
 */
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { DeadlineClock } from '../deadlines/compute.js';
import { clockInWords, displayTime } from '../deadlines/format.js';
import { inOffset } from '../time/moment.js';
import { isUtc as isUtcZone } from '../time/zoned-date.js';
import { STATED_FIELDS, type StatedField } from '../evidence/custody.js';
import { otherInWords } from '../evidence/describe.js';
import type { EvidenceEntry } from '../evidence/entry.js';
import type { Step } from '../playbook/types.js';
import { Interrupted } from '../ui/errors.js';
import { loadPromptLibrary } from '../ui/load-later.js';
import type { Styles } from '../ui/output.js';
import { LIMITS } from '../schemas/limits.js';
import { printable, wrapWords } from '../ui/text.js';
import type { Checked } from './check-answer.js';
import type { Board } from './board.js';
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
      return await askStep(this.prompts, step, check, { input: this.streams.input, output: this.streams.output }, this.timeZone, context);
    } catch (error) {
      if (isPromptExit(error)) throw new Interrupted(`interrupted at step "${step.id}"`);
      throw error;
    }
  }

  /** The board, from the walk's menu: each phase, what was put off or declined, the clocks. */
  showBoard(board: Board): void {
    const { bold, dim, yellow, red, green } = this.style;
    const { progress } = board;
    const lines = ['', bold(`Board: ${progress.answered} answered, ${progress.open} open, ${progress.deferred} not yet, ${progress.declined} declined, ${progress.skipped} skipped`)];
    progress.phases.forEach((phase, i) => {
      const done = phase.answered + phase.skipped + phase.declined;
      lines.push(`  ${phase.open + phase.deferred === 0 ? green('✓') : done > 0 ? yellow('…') : ' '} ${i + 1}. ${printable(phase.title)}: ${done}/${phase.total}`);
      for (const s of progress.steps.filter((s) => s.phase === i + 1 && (s.state === 'deferred' || s.state === 'declined'))) {
        lines.push(dim(`      ${s.state === 'deferred' ? 'not yet' : "won't do"}: ${s.id}${s.reason ? ` (${printable(s.reason)})` : ''}`));
      }
    });
    for (const clock of progress.deadlines) {
      const line = `  ⏱ ${printable(clock.title)}: ${clockInWords(clock, this.timeZone)}`;
      lines.push(clock.status === 'overdue' || clock.status === 'met_late' ? red(line) : clock.status === 'met' ? green(line) : line);
    }
    this.streams.output.write(`${lines.join('\n')}\n`);
  }

  showDraft(template: string, result: { files: readonly string[] } | { problem: string }): void {
    const text =
      'files' in result
        ? this.style.green(`Draft written: ${result.files.map((f) => printable(f)).join(', ')}`)
        : this.style.yellow(`${printable(template)}: ${printable(result.problem)}`);
    this.streams.output.write(`\n${text}\n`);
  }

  private showProgress(step: Step, context: StepContext): void {
    const { bold, dim } = this.style;
    const lines = [
      '',
      bold(`Phase ${context.phaseNumber}/${context.phaseCount} · ${printable(context.phase.title)}`) +
        dim(`   step ${context.stepNumber}/${context.stepCount}${step.required ? '' : ' · optional'}`),
    ];
    // The nearest clock, coloured by how near it is; the others are one `?` → board away.
    const clocks = [...context.deadlines].sort((a, b) => (a.due?.getTime() ?? Infinity) - (b.due?.getTime() ?? Infinity));
    const nearest = clocks[0];
    if (nearest) {
      const more = clocks.length > 1 ? dim(` (+${clocks.length - 1} more clock${clocks.length > 2 ? 's' : ''}: ? → board)`) : '';
      lines.push(this.urgency(nearest)(`⏱ ${printable(nearest.title)}: ${clockInWords(nearest, this.timeZone)}`) + more);
    }
    if (step.help) lines.push(dim(wrapWords(printable(step.help), this.columns())));
    this.streams.output.write(lines.join('\n') + '\n');
  }

  /** Red when overdue or under 12 hours left, yellow under two days, else green. */
  private urgency(clock: DeadlineClock): (text: string) => string {
    const left = clock.margin_ms ?? 0;
    if (clock.status === 'overdue' || left < 12 * 3_600_000) return this.style.red;
    return left < 48 * 3_600_000 ? this.style.yellow : this.style.green;
  }

  /** The terminal's width, less a column: help text is wrapped to it at word boundaries. */
  private columns(): number {
    const columns = (this.streams.output as { columns?: number }).columns;
    return typeof columns === 'number' && columns > 0 ? Math.min(columns - 1, 100) : 80;
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
 * Who is responding, asked once when nothing named them (issue 10): the name the evidence log and,
 * without a signatory in the config, the notices will carry. What git or the system knows is
 * offered to edit, never taken in silence.
 */
export async function askResponder(known: string, streams: PromptStreams, style: Styles): Promise<string> {
  const { input } = await loadPromptLibrary();
  streams.output.write(style.dim('Set `responder:` in leakctl.config.yaml, or pass --responder, and this is not asked.\n'));
  try {
    return await askName(input, 'Your name, as the evidence log (and the notices, unless the config names a signatory) will show it', known, { input: streams.input, output: streams.output });
  } catch (error) {
    if (isPromptExit(error)) throw new Interrupted('Stopped before an incident was opened; nothing was written.');
    throw error;
  }
}

/** A person's name, what is known offered to edit (never when it holds control characters), trimmed. */
async function askName(input: Awaited<ReturnType<typeof loadPromptLibrary>>['input'], message: string, offered: string, context: PromptStreams): Promise<string> {
  const name = await input(
    {
      message,
      default: printable(offered) === offered ? offered : '',
      prefill: 'editable',
      validate: (v: string) => (v.trim() !== '' && v.trim().length <= LIMITS.titleChars) || `a name is needed (at most ${LIMITS.titleChars} characters)`,
    },
    context,
  );
  return name.trim();
}

/**
 * The custody of files being attached (issue 16): what `leakctl attach` cannot infer and was not
 * given on the command line — what the files are, where and when they were collected, and how.
 * Each may be left empty but the time, which defaults to now; `parseTime` reads a typed time
 * (refusing one in the future) into the value to record.
 */
export async function askCustody(
  missing: ReadonlySet<StatedField>,
  parseTime: (text: string) => { ok: true; value: string } | { ok: false; message: string },
  streams: PromptStreams,
): Promise<Partial<Record<StatedField, string>>> {
  const { input } = await loadPromptLibrary();
  const context = { input: streams.input, output: streams.output };
  const short = (v: string): true | string => v.trim().length <= LIMITS.textAnswerChars || `at most ${LIMITS.textAnswerChars} characters`;
  const questions: Record<StatedField, { message: string; validate: (v: string) => true | string }> = {
    description: { message: 'What is it? (a description, kept with the file in the log)', validate: short },
    from: { message: 'Collected from where? (a system, a URL or a path; optional)', validate: short },
    // No default: "now" offered would be a claim the responder did not make.
    collected_at: { message: 'Collected when? (e.g. -2h, yesterday 21:40, 2026-03-02T08:30:00Z, now; empty if not known)', validate: (v) => { if (v.trim() === '') return true; const t = parseTime(v); return t.ok || t.message; } },
    how: { message: 'Collected how? (the tool or command, e.g. browser screenshot, curl, a data export; optional)', validate: short },
  };
  const answers: Partial<Record<StatedField, string>> = {};
  try {
    for (const field of STATED_FIELDS) {
      if (!missing.has(field)) continue;
      const q = questions[field];
      const text = (await input({ message: q.message, validate: q.validate }, context)).trim();
      if (text === '') continue;
      if (field === 'collected_at') {
        const t = parseTime(text);
        if (t.ok) answers.collected_at = t.value;
      } else answers[field] = text;
    }
  } catch (error) {
    if (isPromptExit(error)) throw new Interrupted('Stopped before the files were attached; nothing was written.');
    throw error;
  }
  return answers;
}

/**
 * Who signs the notices, asked once at the start when the config names no signatory (issue 10):
 * the responder is offered; a role may follow. The config's `org.signatory`, once set, comes first.
 */
export async function askSignatory(responder: string, streams: PromptStreams): Promise<{ name: string; role?: string }> {
  const { input } = await loadPromptLibrary();
  const context = { input: streams.input, output: streams.output };
  try {
    const name = await askName(input, 'Who signs the notices? (set org.signatory in leakctl.config.yaml and this is not asked)', responder, context);
    const role = await input({ message: 'Their role, as the notices show it (optional, e.g. Data protection officer)', validate: (v: string) => v.trim().length <= LIMITS.titleChars || 'too long' }, context);
    return { name, ...(role.trim() ? { role: role.trim() } : {}) };
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
async function askTime(
  prompts: Prompts,
  step: Step,
  check: (raw: unknown) => Checked,
  context: Context,
  timeZone: string,
  optionalHint: string,
  skip: Reply,
  more = false,
  earlier?: string,
): Promise<Reply | typeof MORE> {
  const ask = step.sensitive ? prompts.password : prompts.input;
  for (;;) {
    const text = await ask(
      {
        message: `${printable(step.prompt)} (e.g. 2026-03-02 09:30, yesterday 21:40, -2h, now; in ${timeZone})${optionalHint}${more ? ` (${MORE_TYPED} for more)` : ''}`,
        ...(step.sensitive ? { mask: '*' } : earlier !== undefined ? { default: earlier, prefill: 'editable' as const } : {}),
        validate: (value: string) => {
          if (!step.required && value.trim() === '') return true;
          if (more && value.trim() === MORE_TYPED) return true;
          const checked = check(value);
          return checked.ok ? true : checked.message;
        },
      },
      context,
    );
    if (more && text.trim() === MORE_TYPED) return MORE;
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

/**
 * Several lines, as typed or pasted whole (issue 10): read by one line reader that stays open, so
 * no line of a paste is lost between two prompts, and blank lines within it are kept. A line
 * holding only "." (or Ctrl+D) ends it; "e" alone on the first line opens $EDITOR instead.
 */
async function readLines(
  prompts: Prompts,
  message: string,
  context: Context,
  options: { optional: boolean; more: boolean; validate: (raw: unknown) => true | string },
): Promise<string | typeof MORE> {
  const hints = [`end with a line holding only "." or Ctrl+D`, 'e alone opens $EDITOR', ...(options.optional ? ['"." alone to skip'] : []), ...(options.more ? [`${MORE_TYPED} for more`] : [])];
  context.output.write(`? ${message} (${hints.join('; ')})\n`);
  // One reader for the whole answer, asked again included: a reader closed early would take the
  // rest of a paste with it.
  const rl = createInterface({ input: context.input, output: context.output, terminal: (context.input as { isTTY?: boolean }).isTTY === true, prompt: '' });
  let interrupted = false;
  rl.on('SIGINT', () => {
    interrupted = true;
    context.output.write('\n');
    rl.close();
  });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (;;) {
      const collected: string[] = [];
      let editor = false;
      let ended = false;
      for (;;) {
        const next = await lines.next();
        if (next.done) {
          ended = true;
          break;
        }
        const line = next.value as string;
        if (collected.length === 0 && options.more && line.trim() === MORE_TYPED) return MORE;
        if (collected.length === 0 && line.trim() === 'e') {
          editor = true;
          break;
        }
        if (line.trim() === '.') break;
        collected.push(line);
      }
      if (interrupted) throw Object.assign(new Error('interrupted'), { name: 'ExitPromptError' });
      let text = collected.join('\n');
      if (editor) {
        // The editor has the terminal to itself meanwhile.
        rl.pause();
        text = await prompts.editor({ message, waitForUserInput: false, validate: (v: string) => (options.optional && v.trim() === '') || options.validate(v.replace(/\s+$/, '')) }, context);
        rl.resume();
      }
      const trimmed = text.replace(/\s+$/, '');
      if (trimmed === '' && options.optional) return '';
      const checked = options.validate(trimmed);
      if (checked === true) return trimmed;
      // Ctrl+D ended the input: nothing more can be read, so this is a pause, not a loop.
      if (ended) throw Object.assign(new Error(`input ended: ${checked}`), { name: 'ExitPromptError' });
      context.output.write(`${checked}; write it again, and end with "."\n`);
    }
  } finally {
    rl.close();
  }
}

/** A sensitive longtext: masked, one line at a time, an empty line ends it. */
async function askMaskedLines(
  prompts: Prompts,
  step: Step,
  validate: (raw: unknown) => true | string,
  context: Context,
  optionalHint: string,
  skip: Reply,
  answer: (raw: unknown) => Reply,
): Promise<Reply> {
  const lines: string[] = [];
  for (;;) {
    const line = await prompts.password({ message: lines.length === 0 ? `${printable(step.prompt)} (one paragraph per line; empty line to finish)${optionalHint}` : '…', mask: '*' }, context);
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

/** Ctrl+C (or an aborted prompt) as the prompt library reports it. */
function isPromptExit(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}

type Context = { input: Readable; output: Writable };

/** Chosen instead of an answer: opens "what now with this step?" */
const MORE = '__leakctl_more__';
/** Typed instead of an answer at a text prompt: the same. */
const MORE_TYPED = '?';

/** Ask one step with the prompt that fits its kind; exported for the prompt tests. */
export async function askStep(
  prompts: Prompts,
  step: Step,
  check: (raw: unknown) => Checked,
  context: Context,
  timeZone = 'UTC',
  where?: Pick<StepContext, 'canPutOff' | 'walk' | 'duty' | 'previous'>,
): Promise<Reply> {
  const more = where?.canPutOff === true || where?.walk !== undefined;
  // A step that records a duty ("when did you notify…") starts as not yet: asked whether it is done.
  if (where?.walk && (where.duty !== undefined || step.duty === true) && step.kind === 'datetime') {
    const done = await prompts.select(
      {
        message: `${printable(step.prompt)}`,
        choices: [
          { name: 'Not yet: keep it on the board (the clock keeps running)', value: 'later' },
          { name: 'Done: record when', value: 'done' },
          { name: 'More: won\'t do, back, jump, note, board, draft…', value: MORE },
        ],
      },
      context,
    );
    if (done === 'later') return { kind: 'defer', reason: 'not done yet' };
    if (done === MORE) {
      const action = await chooseAction(prompts, step, context, where);
      if (action) return action;
    }
  }
  for (;;) {
    // The earlier answer when answering again; else the playbook's default (playbook@2).
    const offered = step.sensitive ? undefined : (where?.previous ?? step.default);
    const reply = await askOnce(prompts, step, check, context, timeZone, more, where?.walk !== undefined, offered);
    if (reply !== MORE) return reply;
    const action = await chooseAction(prompts, step, context, where);
    if (action) return action;
  }
}

/**
 * Instead of an answer: not yet, won't do, and in the walk back, jump, note, board, draft, pause.
 * Undefined: answer it after all.
 */
async function chooseAction(prompts: Prompts, step: Step, context: Context, where: Pick<StepContext, 'canPutOff' | 'walk'> | undefined): Promise<Reply | undefined> {
  const walk = where?.walk;
  const choices = [
    { name: 'Answer it now', value: 'answer' },
    ...(where?.canPutOff ? [{ name: 'Not yet: keep it on the board for later', value: 'defer' }, { name: "Won't do: say why", value: 'decline' }] : []),
    ...(walk?.canGoBack ? [{ name: 'Back: answer the previous step again', value: 'back' }] : []),
    ...(walk
      ? [
          { name: 'Jump to another step…', value: 'jump' },
          { name: 'Add a note to the evidence log', value: 'note' },
          { name: 'Attach files to the evidence log', value: 'attach' },
          { name: 'Show the board and the clocks', value: 'board' },
          ...(walk.notices.length > 0 ? [{ name: 'Draft a notice now…', value: 'draft' }] : []),
          { name: 'Pause (leakctl resume continues)', value: 'pause' },
        ]
      : []),
  ];
  const action = await prompts.select({ message: `What now with "${printable(step.prompt)}"?`, choices, pageSize: choices.length }, context);
  switch (action) {
    case 'defer': {
      const reason = await prompts.input({ message: 'Why not yet? (optional, kept in the log)' }, context);
      return { kind: 'defer', ...(reason.trim() ? { reason: reason.trim() } : {}) };
    }
    case 'decline': {
      const reason = await prompts.input({ message: 'Why will it not be done? (kept in the log)', validate: (v: string) => v.trim() !== '' || 'a reason is needed' }, context);
      return { kind: 'decline', reason: reason.trim() };
    }
    case 'back':
      return { kind: 'back' };
    case 'jump': {
      const targets = walk!.jumpTargets().filter((t) => t.id !== step.id);
      // Typed to filter: a playbook has a hundred steps. Open ones first, then the rest.
      const target = await prompts.search(
        {
          message: 'Which step? (type to filter)',
          source: (typed: string | undefined) => {
            const words = (typed ?? '').toLowerCase().split(/\s+/).filter(Boolean);
            return targets
              .filter((t) => words.every((w) => `${t.id} ${t.label}`.toLowerCase().includes(w)))
              .map((t) => ({ name: printable(t.label), value: t.id, description: t.id }));
          },
          pageSize: 10,
        },
        context,
      );
      return { kind: 'jump', step: target };
    }
    case 'note': {
      const text = await prompts.input({ message: 'Note (kept in the evidence log)', validate: (v: string) => v.trim() !== '' || 'the note is empty' }, context);
      return { kind: 'note', text: text.trim() };
    }
    case 'attach': {
      const text = await prompts.input(
        {
          message: 'Files to attach (drop them here, or type paths separated by commas)',
          validate: (v: string) => {
            const checked = walk!.checkFiles(readTypedPaths(v, walk!.checkFiles));
            return checked.ok || checked.message;
          },
        },
        context,
      );
      const checked = walk!.checkFiles(readTypedPaths(text, walk!.checkFiles));
      if (!checked.ok) throw new Error(`prompt gave invalid files: ${checked.message}`);
      return { kind: 'attach', files: checked.value as string[] };
    }
    case 'board':
      return { kind: 'board' };
    case 'draft': {
      const template = await prompts.select({ message: 'Which notice?', choices: walk!.notices.map((n) => ({ name: n, value: n })) }, context);
      return { kind: 'draft', template };
    }
    case 'pause':
      throw new Interrupted(`paused at step "${step.id}"`, step.id);
    default:
      return undefined;
  }
}

/** The prompt for the step's kind; MORE when the person asked for the other choices. */
async function askOnce(
  prompts: Prompts,
  step: Step,
  check: (raw: unknown) => Checked,
  context: Context,
  timeZone: string,
  more: boolean,
  walk = false,
  /** The earlier answer (amend): offered to edit, or chosen already. */
  previous?: unknown,
): Promise<Reply | typeof MORE> {
  const prefill = (text: string | undefined) => (text === undefined ? {} : { default: text, prefill: 'editable' as const });
  // Only text that shows as it is: an answer from a file or a colleague may hold control
  // characters, which an editable prefill would write to the terminal raw.
  const shown = (text: string): string | undefined => (printable(text) === text && !text.includes('\n') ? text : undefined);
  const earlierText = typeof previous === 'string' || typeof previous === 'number' ? shown(String(previous)) : undefined;
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
  const moreHint = more ? ` (${MORE_TYPED} for more)` : '';
  const isMore = (text: string): boolean => more && text.trim() === MORE_TYPED;
  const moreChoice = { name: walk ? "More: not yet, won't do, back, jump, note, board, draft…" : "More: not yet, won't do…", value: MORE };

  switch (step.kind) {
    case 'info':
      await prompts.input({ message: `${message} (press Enter)` }, context);
      return answer(true);
    case 'confirm': {
      // No default: Enter alone answers nothing. A tired responder must not write, by pressing
      // Enter, the answer that removes a legal duty ("Is the data strongly encrypted?").
      const text = await prompts.input(
        {
          message: `${message} (y/n${optionalHint ? ', empty to skip' : ''}${more ? `, ${MORE_TYPED} for more` : ''})`,
          ...prefill(typeof previous === 'boolean' ? (previous ? 'y' : 'n') : undefined),
          validate: (value: string) =>
            /^(?:y|yes|n|no)$/i.test(value.trim()) || (!step.required && value.trim() === '') || isMore(value) || 'answer y (yes) or n (no)',
        },
        context,
      );
      if (isMore(text)) return MORE;
      if (!step.required && text.trim() === '') return skip;
      return answer(/^y/i.test(text.trim()));
    }
    case 'datetime':
      return askTime(prompts, step, check, context, timeZone, optionalHint, skip, more, earlierText);
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
          message: `${message}${hint}${optionalHint}${moreHint}`,
          ...(step.sensitive ? { mask: '*' } : step.kind === 'attachment' ? {} : prefill(earlierText)),
          validate: (value: string) => (!step.required && value.trim() === '') || isMore(value) || validate(toRaw(value)),
        },
        context,
      );
      if (isMore(text)) return MORE;
      if (!step.required && text.trim() === '') return skip;
      return answer(toRaw(text));
    }
    case 'longtext': {
      // A masked answer is typed, not pasted: one line at a time, an empty line ends it.
      if (step.sensitive) return askMaskedLines(prompts, step, validate, context, optionalHint, skip, answer);
      const text = await readLines(prompts, message, context, { optional: !step.required, more, validate });
      if (text === MORE) return MORE;
      if (text === '' && !step.required) return skip;
      return answer(text);
    }
    case 'select': {
      const choices = (step.choices ?? []).map((c) => ({ name: printable(c.label), value: c.value }));
      if (!step.required) choices.push({ name: 'Skip this step', value: SKIP });
      if (more) choices.push(moreChoice);
      const value = await prompts.select({ message, choices, pageSize: Math.min(choices.length, 15), ...(previous !== undefined ? { default: previous } : {}) }, context);
      if (value === MORE) return MORE;
      return value === SKIP ? skip : answer(value);
    }
    case 'multi': {
      const values = await prompts.checkbox(
        {
          message: `${message}${step.required ? '' : ' (none to skip)'}`,
          choices: [
            ...(step.choices ?? []).map((c) => ({ name: printable(c.label), value: c.value, checked: Array.isArray(previous) && previous.includes(c.value) })),
            ...(more ? [moreChoice] : []),
          ],
          pageSize: Math.min((step.choices?.length ?? 0) + 1, 15),
          validate: (chosen: readonly { value: string }[]) =>
            (!step.required && chosen.length === 0) || chosen.some((c) => c.value === MORE) || validate(chosen.map((c) => c.value)),
        },
        context,
      );
      if (values.includes(MORE)) return MORE;
      if (!step.required && values.length === 0) return skip;
      return answer(values);
    }
    case 'checklist': {
      const items = step.items ?? [];
      const done = await prompts.checkbox(
        {
          message: `${message} (tick what is done; the rest is recorded as skipped)`,
          choices: [
            ...items.map((i) => ({ name: printable(i.label), value: i.id, checked: typeof previous === 'object' && previous !== null && (previous as Record<string, unknown>)[i.id] === 'done' })),
            ...(more ? [moreChoice] : []),
          ],
          pageSize: Math.min(items.length + 1, 15),
        },
        context,
      );
      if (done.includes(MORE)) return MORE;
      if (!step.required && done.length === 0) return skip;
      return answer(Object.fromEntries(items.map((i) => [i.id, done.includes(i.id) ? 'done' : 'skipped'])));
    }
  }
}
