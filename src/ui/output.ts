/**
 * Output discipline (SPEC section 1): results on stdout, progress and messages on stderr,
 * `--json` as one document on stdout, colour only when decided so. And the one sanitiser
 * (issue 9): every line written through here has its control characters escaped, whatever
 * the command forgot, so that text from a playbook, an answer or a file name cannot move the
 * cursor, clear the screen or retitle the terminal; only leakctl's own colours pass.
 */
import type { ChalkInstance } from 'chalk';
import type { CommonOptions } from '../options.js';
import { printable, terminalSafeJson } from './text.js';

/** The few styles leakctl uses; plain text when colour is off. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain: Styles = {
  bold: (t) => t,
  dim: (t) => t,
  red: (t) => t,
  green: (t) => t,
  yellow: (t) => t,
  cyan: (t) => t,
};

export class Output {
  readonly style: Styles;
  private readonly options: CommonOptions;

  private constructor(options: CommonOptions, style: Styles) {
    this.options = options;
    this.style = style;
  }

  /**
   * chalk is loaded only when colour is on for either stream: most runs (CI, pipes, --json)
   * never need it. Styled text is written to both streams; a stream without colour gets it
   * plain (user text is escaped before it is styled, so every ESC here is one of ours).
   */
  static async create(options: CommonOptions): Promise<Output> {
    if (!options.color && !options.colorErr) return new Output(options, plain);
    const { Chalk } = await import('chalk');
    const chalk: ChalkInstance = new Chalk({ level: 1 });
    return new Output(options, chalk);
  }

  /** A result line on stdout. */
  result(text = ''): void {
    this.options.stdout.write(`${safeText(text, this.options.color, this.style !== plain)}\n`);
  }

  /** A message or progress line on stderr. */
  message(text = ''): void {
    this.options.stderr.write(`${safeText(text, this.options.colorErr, this.style !== plain)}\n`);
  }

  /** The one JSON document of a `--json` run. */
  json(value: unknown): void {
    this.options.stdout.write(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);
  }
}

/** The colour codes leakctl's own styles write (chalk at level 1): bold, dim, red, green, yellow, cyan and their ends. */
// eslint-disable-next-line no-control-regex
const OWN_STYLE = /(\u001b\[(?:1|2|22|31|32|33|36|39)m)/;

/**
 * The text with every control character escaped. With no colour anywhere (pipes, CI, NO_COLOR)
 * that is all: a code in the text is shown as `\u{1b}[31m`. On a stream with colour, leakctl's
 * own colour codes are kept, and only those (commands escape user text before they style it, so
 * at worst a playbook could colour its own title); on a stream without colour whose Output
 * styles for the other one, the styles are taken off again.
 */
export function safeText(text: string, colour: boolean, styled = colour): string {
  if (!styled) return printable(text);
  const parts = text.split(OWN_STYLE);
  return parts.map((part, i) => (i % 2 === 0 ? printable(part) : colour ? part : '')).join('');
}

/** Lay out rows as columns separated by two spaces (the last column is not padded). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
