/**
 * The command line: commander wiring only (STYLE point 1). Options become a typed
 * CommonOptions object, and each command's module is imported only when that command runs, so
 * `--version` and `--help` load no prompt, schema or template library.
 */
import { resolve } from 'node:path';
import { packageVersion } from './package-root.js';
import type { Readable, Writable } from 'node:stream';
import { Argument, Command, CommanderError, Option } from 'commander';
import type { CommandSpec, CommonOptions } from './options.js';
import { parseTimestamp } from './time/timestamp.js';
import { systemTimeZone } from './time/zones.js';
import { decideColour } from './ui/colour.js';
import { EXIT, InvalidInput, LeakctlError } from './ui/errors.js';
import { printable } from './ui/text.js';

export interface ProcessIO {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  /** Install the Ctrl+C handler and return its signal (main() passes the real one). */
  readonly interrupt?: () => AbortSignal;
}

/** The entry used by bin/leakctl.js: the only place that touches `process`. */
export async function main(argv: readonly string[]): Promise<void> {
  // A reader that stops early (`leakctl log ID | head`) is not an error: stop quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await run({
    argv: argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    interrupt: trapInterrupt,
  });
}

let interruptController: AbortController | undefined;

/**
 * SIGINT outside a prompt (inside one, the prompt library sees Ctrl+C as a key): the first one
 * asks the running command to pause; a second one stops at once.
 */
function trapInterrupt(): AbortSignal {
  if (!interruptController) {
    const controller = new AbortController();
    interruptController = controller;
    process.on('SIGINT', () => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    });
  }
  return interruptController.signal;
}

interface RawGlobals {
  dir?: string;
  playbooks?: string[];
  templates?: string[];
  config?: string;
  json?: boolean;
  now?: string;
  color?: boolean;
  debug?: boolean;
}

type CommandModule = { run(options: CommonOptions, ...args: never[]): Promise<number> };



/** Run leakctl with the given arguments (without `node leakctl`) and return the exit status. */
export async function run(io: ProcessIO): Promise<number> {
  const program = new Command('leakctl');
  let debug = io.argv.includes('--debug');
  let pending: Promise<number> | undefined;

  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  // Help wraps at word boundaries to the terminal's width, or to 80 columns into a pipe or file.
  const width = (stream: { columns?: number }): number => (typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : 80);
  const output = {
    writeOut: (text: string) => io.stdout.write(text),
    writeErr: (text: string) => io.stderr.write(text),
    getOutHelpWidth: () => width(io.stdout as { columns?: number }),
    getErrHelpWidth: () => width(io.stderr as { columns?: number }),
  };
  program
    .description('Walk a responder through a data-leak incident: playbook, evidence log, legal clocks, notice drafts.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--dir <dir>', 'incidents directory (default ./incidents, env LEAKCTL_DIR)')
    .option('--playbooks <dir>', 'extra playbook directory, searched before the bundled one (repeatable)', collect)
    .option('--templates <dir>', 'extra template directory, searched before the bundled one (repeatable)', collect)
    .option('--config <file>', 'config file (default ./leakctl.config.yaml when it exists)')
    .option('--json', 'print one JSON document on stdout')
    .option('--now <iso>', 'fixed clock, RFC 3339 (env LEAKCTL_NOW)')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('--debug', 'print stack traces of unexpected errors')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false, minWidthToWrap: 24 })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput(output);

  /** Register a command whose module is `./commands/<module>.js`, loaded when it runs. */
  const command = (spec: string, description: string, module: string): Command => {
    const sub = program
      .command(spec)
      .description(description)
      .helpOption('-h, --help', 'show help')
      .exitOverride()
      .configureOutput(output);
    sub.action((...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const positional = args.slice(0, -2);
      const globals = cmd.optsWithGlobals<RawGlobals & Record<string, unknown>>();
      debug = globals.debug === true;
      pending = (async () => {
        const common = commonOptions(io, globals);
        const loaded = await loadCommand<CommandModule>(module);
        return loaded.run(common, ...(positional as never[]), cmd.opts() as never);
      })();
    });
    return sub;
  };

  command('start [playbook]', 'open an incident and run it (PLAYBOOK = id or path to a .yaml file)', 'start')
    .option('--answers <file>', 'scripted run from an answers file: no prompts')
    .option('--id <id>', 'incident id (default <playbook-id>-<yyyyMMdd-HHmmss> in UTC)')
    .option('--responder <name>', 'who is responding (default: answers file, config; else asked at a terminal)')
    .option('--drill', 'mark the incident as a drill');
  command('resume <incident>', 'continue an interrupted incident where it stopped', 'resume')
    .option('--answers <file>', 'answer the open steps from an answers file')
    .option('--responder <name>', 'who is responding');
  command('status [incident]', 'progress and deadline clocks of one incident, or a table of all', 'status');
  command('log <incident>', "the timeline of an incident's evidence log (--json: raw entries)", 'log');
  command('timeline <incident>', 'one row per evidence entry (time, actor, type, step, summary) for other tools', 'timeline').addOption(
    new Option('--format <format>', 'csv (RFC 4180, formulas made inert) or jsonl').choices(['csv', 'jsonl']).default('csv'),
  );
  command('report <incident>', 'a report for those who were not there: HTML (self-contained), Markdown or JSON', 'report')
    .addOption(new Option('--format <format>', 'html (one self-contained file), md or json').choices(['html', 'md', 'json']).default('html'))
    .option('-o, --output <file>', 'where to write it (- for standard output; default: standard output when piped, else INCIDENT-report.FORMAT here)')
    .option('--include-sensitive', 'show the answers to steps marked sensitive (left out by default)');
  command('register', "every incident as the organisation's breach register (GDPR Art. 33(5)): CSV or JSON", 'register')
    .addOption(new Option('--format <format>', 'csv (RFC 4180, formulas made inert) or json').choices(['csv', 'json']).default('csv'))
    .option('--drills', 'include drills (left out by default)')
    .option('-o, --output <file>', 'write it to a file (default: standard output)');
  command('seal <incident>', 'sign a checkpoint of the evidence log with your SSH key, so that others can hold it to what it says now', 'seal')
    .option('--key <file>', 'the SSH key to sign with (default: signing_key: of the config)')
    .option('--responder <name>', 'who is sealing');
  command('verify <incident-or-file>', "check the evidence log's hash chain and the attachments' hashes", 'verify')
    .option('--head <hash>', 'also prove that nothing was cut from the end of the log')
    .option('--allowed-signers <file>', "who may sign checkpoints (ssh-keygen's allowed_signers; default: allowed_signers: of the config)")
    .option('--tsa-ca <file>', "the timestamp authority's CA certificate (PEM; default: tsa_ca: of the config)")
    .option('--checkpoint <file>', 'also hold the log to a checkpoint kept elsewhere (a copy sent to counsel or a ticket; its .sig beside it is checked too); repeatable', collect);
  command('export <incident>', 'write the incident as a bundle a third party checks without leakctl (VERIFY.md inside)', 'export')
    .option('--bundle <path>', 'a new directory, or a file ending in .tar.gz');
  command('note <incident> <text...>', 'add a free-text observation to the evidence log', 'note')
    .option('--responder <name>', 'who is writing the note');
  command('attach <incident> <file...>', 'add evidence files (hashed, copied into the incident) with their custody', 'attach')
    .option('--description <text>', 'what the files are')
    .option('--from <where>', 'where they were collected from: a system, a URL, a path')
    .option('--collected-at <when>', 'when they were collected (now, -2h, yesterday 21:40, RFC 3339); may be before they are attached')
    .option('--how <tool>', 'how they were collected: the tool or command')
    .option('--collected-by <name>', 'who collected them (default: who is attaching)')
    .option('--responder <name>', 'who is attaching');
  command('amend <incident> <step>', 'answer a step again (the earlier answer stays in the log)', 'amend')
    .option('--value <value>', 'the new answer, as YAML (no prompt)')
    .option('--responder <name>', 'who is amending');
  command('next <incident>', 'the open steps to take next, and why (nearest clock first)', 'next')
    .option('--all', 'every open step, not only the first few')
    .option('--responder <name>', "whose steps come first (default: the config's responder)");
  command('do <incident> <step>', 'answer one step now, in any order (an open, deferred or declined one)', 'do')
    .option('--value <value>', 'the answer, as for amend (no prompt)')
    .option('--responder <name>', 'who is answering');
  command('defer <incident> <step>', '"not yet": keep a step on the board for later', 'defer')
    .option('--reason <text>', 'why not yet (kept in the log)')
    .option('--until <when>', 'when to be reminded: +4h, tomorrow 09:00, 2026-03-03 09:00, or RFC 3339')
    .option('--responder <name>', 'who is deferring');
  command('decline <incident> <step>', '"won\'t do": decline a step, with the reason', 'decline')
    .option('--reason <text>', 'why it will not be done (required; kept in the log)')
    .option('--responder <name>', 'who is declining');
  command('assign <incident> <step> <name>', 'make a step (or a whole phase: give its id) someone\'s to do; the board shows owners', 'assign').option('--responder <name>', 'who is assigning');
  command('handoff <incident> <name>', 'record who leads the response from now', 'handoff').option('--responder <name>', 'who is handing over');
  command('sync [incident]', "share the incidents through their git repository: verify, commit, pull, verify again, push", 'sync').option('--responder <name>', 'who is syncing (the commit says so)');
  command('render <incident>', "(re)render the incident's notification drafts", 'render')
    .option('--template <id>', 'render only this template (repeatable)', collect)
    .option('--stdout <id>', 'print one draft on stdout instead of writing files')
    .option('--host <name>', 'with --stdout: the host of a draft written once per host (takedown-request)')
    .addOption(new Option('--format <format>', 'draft format for --stdout').choices(['txt', 'md', 'eml']));
  command('close <incident>', 'close the incident (the log is then read-only for leakctl)', 'close')
    .option('--key <file>', 'seal the log first with this SSH key (default: signing_key: of the config, if set)')
    .option('--responder <name>', 'who is closing');
  command('drill <playbook>', 'scripted run as a drill; exit 3 on a missed deadline or required step', 'drill')
    .requiredOption('--answers <file>', 'the drill answers file')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--id <id>', 'incident id')
    .option('--responder <name>', 'who is responding');
  command('list', 'the playbooks and templates that are available', 'list');
  command('show <playbook>', "a playbook's phases, steps, deadlines and notices as an outline", 'show');
  command('regimes [which...]', 'the legal regimes leakctl knows: clocks, thresholds, citations, confidence (WHICH = id, place or jurisdiction)', 'regimes');
  command('validate <file...>', 'check playbooks, templates, answers files and config', 'validate');
  command('schema', 'print the JSON Schema of a document kind (for editors)', 'schema').addArgument(
    new Argument('[kind]', 'document kind').choices(['playbook', 'answers', 'config', 'template', 'calendar', 'regime']).default('playbook'),
  );
  command('completion', 'print the shell completion script (bash, zsh or fish); see README', 'completion').addArgument(
    new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']),
  );

  try {
    // `leakctl` alone: the help, on stdout, as a successful answer to "what can this do?".
    if (io.argv.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    // What the completion scripts call: `__complete WORD…`, the words typed so far, the last being
    // the one to complete. Not a command of its own (commander would parse the words' options).
    if (io.argv[0] === '__complete') {
      const { complete } = await loadCommand<typeof import('./commands/completion.js')>('completion');
      const words = io.argv.slice(1);
      // The global options typed so far decide where incidents and playbooks are looked for.
      const given = (flag: string): string[] => words.flatMap((w, i) => (w === flag && i + 1 < words.length - 1 ? [words[i + 1]!] : w.startsWith(`${flag}=`) ? [w.slice(flag.length + 1)] : []));
      const globals: RawGlobals = { ...(given('--dir')[0] ? { dir: given('--dir')[0] } : {}), playbooks: given('--playbooks'), templates: given('--templates'), ...(given('--config')[0] ? { config: given('--config')[0] } : {}) };
      return await complete(commonOptions(io, globals), commandSpecs(program), words);
    }
    await program.parseAsync([...io.argv], { from: 'user' });
    return pending ? await pending : EXIT.ok;
  } catch (error) {
    return report(error, io.stderr, debug);
  }
}

/** The module of a command (`./commands/<module>.js`), loaded when it runs. */
async function loadCommand<T>(module: string): Promise<T> {
  // A path built at run time: the bundler leaves the import alone, so each command stays in its
  // own file (scripts/build.mjs) and only the one that runs is loaded. Run from the TypeScript
  // sources (in-process tests), the command is a .ts file beside this one.
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const path = ['.', 'commands', `${module}.${extension}`].join('/');
  // The bundle is CommonJS: require() it, or Node would first scan its source for export names
  // (cjs-module-lexer, ~15 ms on a command file). Run from src/ (tests), import it.
  return (extension === 'js' && typeof require === 'function' ? require(path) : await import(path)) as T;
}

/** The commands, their arguments and options, as completion offers them: read from the program itself. */
function commandSpecs(program: Command): CommandSpec[] {
  const longFlags = (cmd: Command): string[] => [...cmd.options.map((o) => o.long).filter((f): f is string => f !== undefined), '--help'];
  const valued = (cmd: Command): string[] => cmd.options.filter((o) => o.required || o.optional).flatMap((o) => (o.long ? [o.long] : []));
  return [
    { name: '', args: [], options: longFlags(program), valued: valued(program) },
    ...program.commands.map((cmd) => ({ name: cmd.name(), args: cmd.registeredArguments.map((a) => a.name()), options: longFlags(cmd), valued: valued(cmd) })),
  ];
}

function commonOptions(io: ProcessIO, raw: RawGlobals): CommonOptions {
  const now = raw.now ?? io.env.LEAKCTL_NOW;
  if (now !== undefined && !parseTimestamp(now)) {
    const from = raw.now !== undefined ? '--now' : 'LEAKCTL_NOW';
    throw new InvalidInput(`${from} "${now}" is not an RFC 3339 timestamp; write e.g. 2026-03-02T09:00:00Z`);
  }
  const json = raw.json === true;
  return {
    cwd: io.cwd,
    incidentsDir: resolve(io.cwd, raw.dir ?? io.env.LEAKCTL_DIR ?? 'incidents'),
    playbookDirs: (raw.playbooks ?? []).map((dir) => resolve(io.cwd, dir)),
    templateDirs: (raw.templates ?? []).map((dir) => resolve(io.cwd, dir)),
    ...(raw.config !== undefined ? { configFile: raw.config } : {}),
    json,
    ...(now !== undefined ? { now } : {}),
    // Decided for each stream: `verify 2>err.txt` on a terminal colours stdout, not the file.
    color: decideColour({ flag: raw.color, env: io.env, isTTY: io.stdout.isTTY === true, json }),
    colorErr: decideColour({ flag: raw.color, env: io.env, isTTY: io.stderr.isTTY === true, json: false }),
    debug: raw.debug === true,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.interrupt ? { interrupt: io.interrupt } : {}),
    // Asked only when a time is shown in a zone the config does not name.
    systemTimeZone: () => systemTimeZone(io.env.TZ),
  };
}

/** The one top-level handler: a message for a person, a stack trace only with --debug. */
function report(error: unknown, stderr: Writable, debug: boolean): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help / version).
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return EXIT.ok;
    return EXIT.invalid;
  }
  // By shape, not instanceof: each command is bundled on its own, with its own copy of the class.
  if (isLeakctlError(error)) {
    // Messages may quote a document or an answer: escaped, never terminal codes.
    stderr.write(`${printable(error.message)}\n`);
    if (debug && error.stack) stderr.write(`${printable(error.stack)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`leakctl: unexpected error: ${printable(message)}\n`);
  if (debug && error instanceof Error && error.stack) stderr.write(`${printable(error.stack)}\n`);
  else stderr.write('(run again with --debug for the stack trace, and please report it)\n');
  return EXIT.failure;
}

function isLeakctlError(error: unknown): error is LeakctlError {
  return error instanceof Error && typeof (error as Partial<LeakctlError>).exitCode === 'number';
}
