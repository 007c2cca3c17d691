/**
 * `leakctl timeline INCIDENT [--format csv|jsonl]` (issue 15): one row per evidence entry — time,
 * entry number, actor, type, step, summary — for import into a spreadsheet, a case-management tool
 * or a SIEM. The log is verified first, like every reader. Answers to sensitive steps are
 * [sensitive], as `log` shows them; text is written so that no terminal or spreadsheet acts on it
 * (controls shown as \u{…}; a cell that would run as a formula starts with a ').
 */
import { once } from 'node:events';
import { loadSettings } from '../config/settings.js';
import { describeEntry } from '../evidence/describe.js';
import { readIncident } from '../incident/open.js';
import { sensitiveStepsOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { csvRecord } from '../ui/csv.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable, terminalSafeJson } from '../ui/text.js';

export interface TimelineOptions {
  readonly format?: string;
}

const COLUMNS = ['time', 'entry', 'actor', 'type', 'step', 'summary'] as const;

export async function run(options: CommonOptions, id: string, opts: TimelineOptions): Promise<number> {
  const out = await Output.create(options);
  const format = opts.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new InvalidInput(`--format ${printable(format)} is not one the timeline is written in; use csv or jsonl`);
  const incident = await readIncident(options, id, (t) => out.message(t));
  // Written with back-pressure: a million-entry log piped somewhere slow stays in bounded memory.
  const write = async (text: string): Promise<void> => {
    if (!options.stdout.write(text)) await once(options.stdout, 'drain');
  };
  let sensitive: ReadonlySet<string> | null | undefined;
  try {
    if (format === 'csv') await write(csvRecord(COLUMNS));
    for await (const e of incident.entries()) {
      if (e.type === 'step.answered' && sensitive === undefined) {
        sensitive = sensitiveStepsOf(incident.state.opened!.playbook, id, { settings: loadSettings(options), cwd: options.cwd }, (t) => out.message(t));
      }
      const row = { time: e.at, entry: e.seq, actor: e.actor, type: e.type, step: typeof e.data.step === 'string' ? e.data.step : '', summary: describeEntry(e, sensitive ?? new Set()) };
      if (format === 'jsonl') await write(`${terminalSafeJson(JSON.stringify(row))}\n`);
      else await write(csvRecord(COLUMNS.map((c) => printable(String(row[c])))));
    }
  } finally {
    incident.close();
  }
  return 0;
}
