/**
 * What every command receives instead of reading process.argv, process.env or process.cwd()
 * (STYLE point 2): cli.ts builds it once from the command line and the environment.
 */
import type { Readable, Writable } from 'node:stream';

export interface CommonOptions {
  readonly cwd: string;
  /** `--dir`, else LEAKCTL_DIR, else ./incidents (resolved against cwd). */
  readonly incidentsDir: string;
  /** `--playbooks` / `--templates` directories, in the order given (resolved against cwd). */
  readonly playbookDirs: readonly string[];
  readonly templateDirs: readonly string[];
  /** `--config FILE`; when absent, ./leakctl.config.yaml is used if it exists. */
  readonly configFile?: string;
  readonly json: boolean;
  /** `--now` or LEAKCTL_NOW, unparsed. */
  readonly now?: string;
  /** Colour on stdout (never with --json) and on stderr, decided once for each. */
  readonly color: boolean;
  readonly colorErr: boolean;
  readonly debug: boolean;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  /**
   * Aborted when the responder presses Ctrl+C outside a prompt (SIGINT). Only commands that run
   * steps ask for it; cli.ts installs the handler then.
   */
  readonly interrupt?: () => AbortSignal;
  /** The system's time zone (times are shown in it when the config names none); asked only when needed. */
  readonly systemTimeZone?: () => string;
}

/** A command as shell completion sees it, read from the command line's own definition; '' is the program (its global options). */
export interface CommandSpec {
  readonly name: string;
  readonly args: readonly string[];
  readonly options: readonly string[];
  /** Of those, the ones that take a value (the next word is the value, not an argument). */
  readonly valued: readonly string[];
}
