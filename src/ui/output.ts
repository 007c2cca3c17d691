/**
 * Output discipline (SPEC section 1): results on stdout, progress and messages on stderr,
 * `--json` as one document on stdout, colour only when decided so.
 */
import type { ChalkInstance } from 'chalk';
import type { CommonOptions } from '../options.js';
import { terminalSafeJson } from './text.js';

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
    this.options.stdout.write(`${this.options.color ? text : plainText(text)}\n`);
  }

  /** A message or progress line on stderr. */
  message(text = ''): void {
    this.options.stderr.write(`${this.options.colorErr ? text : plainText(text)}\n`);
  }

  /** The one JSON document of a `--json` run. */
  json(value: unknown): void {
    this.options.stdout.write(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);
  }
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

function plainText(text: string): string {
  return text.includes('\u001b') ? text.replace(SGR, '') : text;
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
