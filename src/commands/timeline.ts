/**
 * `leakctl timeline INCIDENT [--format csv|jsonl]` (issue 15): one row per evidence entry — time,
 * entry number, actor, type, step, summary — for import into a spreadsheet, a case-management tool
 * or a SIEM. The log is verified first, like every reader. Answers to sensitive steps are
 * [sensitive], as `log` shows them; text is written so that no terminal or spreadsheet acts on it
 * (controls shown as \u{…}; a cell that would run as a formula starts with a ').
 */
import { once } from 'node:events';
import { loadSettings } from '../config/settings.js';
import { readIncident } from '../incident/open.js';
import type { CommonOptions } from '../options.js';
import { TIMELINE_COLUMNS, timelineRows } from '../report/timeline.js';
import { csvRecord } from '../ui/csv.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable, terminalSafeJson } from '../ui/text.js';

export interface TimelineOptions {
  readonly format?: string;
}

export async function run(options: CommonOptions, id: string, opts: TimelineOptions): Promise<number> {
  const out = await Output.create(options);
  const format = opts.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new InvalidInput(`--format ${printable(format)} is not one the timeline is written in; use csv or jsonl`);
  const warn = (t: string): void => out.message(t);
  const incident = await readIncident(options, id, warn);
  // Written with back-pressure: a million-entry log piped somewhere slow stays in bounded memory.
  const write = async (text: string): Promise<void> => {
    if (!options.stdout.write(text)) await once(options.stdout, 'drain');
  };
  try {
    if (format === 'csv') await write(csvRecord(TIMELINE_COLUMNS));
    for await (const row of timelineRows({ incident, settings: loadSettings(options), cwd: options.cwd, warn })) {
      if (format === 'jsonl') await write(`${terminalSafeJson(JSON.stringify(row))}\n`);
      else await write(csvRecord(TIMELINE_COLUMNS.map((c) => printable(String(row[c])))));
    }
  } finally {
    incident.close();
  }
  return 0;
}
