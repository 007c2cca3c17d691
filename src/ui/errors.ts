/**
 * Typed errors. Expected failures are thrown deep and turned into an exit code by the one
 * handler in cli.ts (SPEC section 1, exit status). Nothing below cli.ts calls process.exit.
 */

export const EXIT = {
  ok: 0,
  failure: 1,
  invalid: 2,
  checkFailed: 3,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is written for a person and which carries the exit status. */
export class LeakctlError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Exit 2: bad usage, playbook, template, answers file, config, unknown incident or step. */
export class InvalidInput extends LeakctlError {
  constructor(message: string) {
    super(message, EXIT.invalid);
  }
}

/** One problem at a position in a file: printed as `FILE:LINE:COL message`. */
export interface SourceProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: SourceProblem): string {
  return `${p.file}:${p.line}:${p.col} ${p.message}`;
}

/** Exit 2 with every problem found in one or more files, each on its own line. */
export class InvalidDocument extends InvalidInput {
  readonly problems: readonly SourceProblem[];
  constructor(problems: readonly SourceProblem[]) {
    // In reading order, file by file (files keep the order they were first reported in).
    const files = [...new Set(problems.map((p) => p.file))];
    const sorted = [...problems].sort(
      (a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.col - b.col,
    );
    super(sorted.map(formatProblem).join('\n'));
    this.problems = sorted;
  }
}

/** Exit 130: the responder pressed Ctrl+C; what was answered is kept. */
export class Interrupted extends LeakctlError {
  /** The step a person chose to pause at (the walk's menu), rather than Ctrl+C: exit 0. */
  readonly pausedAt: string | undefined;
  constructor(message: string, pausedAt?: string) {
    super(message, pausedAt === undefined ? EXIT.interrupted : EXIT.ok);
    this.pausedAt = pausedAt;
  }
}
