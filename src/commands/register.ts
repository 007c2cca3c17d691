/**
 * `leakctl register [--format csv|json] [--drills] [-o FILE]` (issue 15): every incident of the
 * incidents directory as the organisation's breach register (GDPR Art. 33(5): every breach,
 * notified or not). CSV as RFC 4180 with formula cells made inert, or JSON. Drills are left out
 * unless asked for. Each log is verified; one that does not verify (exit 3) or cannot be read
 * with its playbook (exit 2) is a row that says so, and the others are listed all the same.
 */
import { resolve } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { rulesOf } from '../deadlines/rules.js';
import { checkOutputPath, writeOutputFile } from '../evidence/durable.js';
import { incidentIds } from '../incident/locate.js';
import { commandClock, readIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { REGISTER_COLUMNS, registerRow, type RegisterRow } from '../report/register.js';
import { progressOf } from '../run/progress.js';
import { csvRecord } from '../ui/csv.js';
import { EXIT, InvalidInput, LeakctlError } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable, terminalSafeJson } from '../ui/text.js';

export interface RegisterOptions {
  readonly format?: string;
  readonly drills?: boolean;
  readonly output?: string;
}

export async function run(options: CommonOptions, opts: RegisterOptions): Promise<number> {
  const out = await Output.create(options);
  const format = opts.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new InvalidInput(`--format ${printable(format)} is not one the register is written in; use csv or json`);
  const file = opts.output === undefined || opts.output === '-' ? undefined : resolve(options.cwd, opts.output);
  if (file) checkOutputPath(file, opts.output!, '--output', { files: [], dirs: [options.incidentsDir] });
  const settings = loadSettings(options);
  const now = commandClock(options).now();
  const rows: (RegisterRow | { incident: string; problem: string })[] = [];
  let failed: number = EXIT.ok;
  let drills = 0;
  for (const id of incidentIds(options.incidentsDir)) {
    try {
      const incident = await readIncident(options, id, () => undefined);
      try {
        const state = incident.state;
        if (state.opened!.drill && !opts.drills) {
          drills += 1;
          continue;
        }
        const playbook = playbookOf(state, { settings, cwd: options.cwd, warn: () => undefined, checkTemplates: false });
        rows.push(registerRow(playbook, state, progressOf(playbook, state, now, rulesOf(playbook, settings))));
      } finally {
        incident.close();
      }
    } catch (error) {
      if (!(error instanceof LeakctlError)) throw error;
      // One incident that cannot be read must not hide the others: its row says why.
      // Exit 3 when a log does not verify, else 2: a register with a hole is not a success.
      failed = error.exitCode === EXIT.checkFailed || failed === EXIT.checkFailed ? EXIT.checkFailed : EXIT.invalid;
      rows.push({ incident: id, problem: error.message.split('\n')[0] ?? '' });
      out.message(out.style.red(`${id}: ${printable(error.message.split('\n')[0] ?? '')}`));
    }
  }
  const text =
    format === 'json'
      ? `${terminalSafeJson(JSON.stringify({ schema: 'leakctl/register@1', generated_at: now.toISOString(), incidents_dir: options.incidentsDir, drills_included: opts.drills === true, incidents: rows }, null, 2))}\n`
      : [csvRecord([...REGISTER_COLUMNS, 'problem']), ...rows.map((row) => csvRecord([...REGISTER_COLUMNS, 'problem'].map((c) => cell((row as Record<string, unknown>)[c]))))].join('');
  // Private to its owner (0600), like the incidents it lists.
  if (file) writeOutputFile(file, text, 'the register', 0o600);
  else options.stdout.write(text);
  if (file || drills > 0 || rows.length === 0) {
    const where = file ? `Wrote the register (${rows.length} incident${rows.length === 1 ? '' : 's'}) to ${printable(file)}.` : '';
    const left = drills > 0 ? ` ${drills} drill${drills === 1 ? ' was' : 's were'} left out (--drills adds them).` : '';
    const none = rows.length === 0 ? ` No ${drills > 0 ? 'real ' : ''}incident in ${printable(options.incidentsDir)} to list.` : '';
    out.message(`${where}${left}${none}`.trim());
  }
  return failed;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return printable(typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
}
