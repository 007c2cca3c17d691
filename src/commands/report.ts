/**
 * `leakctl report INCIDENT [--format html|md|json] [-o FILE] [--include-sensitive]` (issue 15): what
 * happened and what was done, for the people who were not there — the supervisory authority asking
 * for the Art. 33(5) documentation, the board, counsel, the moderators. One self-contained HTML
 * file by default. The log is verified when the incident is opened, like every reader; then once
 * more as `leakctl verify` does (attachments re-hashed), reading on the way the custody, the
 * notices, the skips and the timeline, which is set aside on disk and written last: a long log
 * needs no more memory than a short one.
 */
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { displayZone, loadSettings } from '../config/settings.js';
import { checkOutputPath, OutputFile, Spill } from '../evidence/durable.js';
import { commandClock, readIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { htmlHead, htmlTail, htmlTimelineRow } from '../report/html.js';
import { reportJson } from '../report/json.js';
import { markdownHead, markdownTimelineRow } from '../report/markdown.js';
import { reportOf } from '../report/model.js';
import type { TimelineRow } from '../report/timeline.js';
import { timeShown } from '../report/words.js';
import { EXIT, InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable, terminalSafeJson } from '../ui/text.js';

export interface ReportOptions {
  readonly format?: string;
  readonly output?: string;
  readonly includeSensitive?: boolean;
}

const FORMATS = ['html', 'md', 'json'];

export async function run(options: CommonOptions, id: string, opts: ReportOptions): Promise<number> {
  const out = await Output.create(options);
  const format = opts.format ?? 'html';
  if (!FORMATS.includes(format)) throw new InvalidInput(`--format ${printable(format)} is not one the report is written in; use html, md or json`);
  const settings = loadSettings(options);
  // Where it goes: the file named (- for standard output); by default standard output when it is
  // piped, and a file in the current directory when it is a terminal, which HTML would flood.
  const given = opts.output ?? (options.stdout.isTTY ? `${id}-report.${format}` : '-');
  const file = given === '-' ? undefined : resolve(options.cwd, given);
  if (file) checkOutputPath(file, given, '--output', { files: [], dirs: [options.incidentsDir] });
  const warn = (t: string): void => out.message(t);
  const incident = await readIncident(options, id, warn);
  let sink: OutputFile | undefined;
  // The timeline is read in the pass that verifies the log, with what the sections before it
  // need, and set aside on disk until they are written: one pass, and flat memory.
  let spill: Spill | undefined;
  try {
    spill = new Spill(tmpdir());
    const aside = spill;
    const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn });
    const zone = displayZone(options, settings.config);
    const time = timeShown(zone);
    let rows = 0;
    const row = (r: TimelineRow): void => {
      if (format === 'html') aside.write(htmlTimelineRow(r, time));
      else if (format === 'md') aside.write(markdownTimelineRow(r, time));
      else aside.write(`${rows === 0 ? '' : ','}\n    ${terminalSafeJson(JSON.stringify(r))}`);
      rows += 1;
    };
    const model = await reportOf({ incident, playbook, settings, now: commandClock(options).now(), includeSensitive: opts.includeSensitive === true, zone, timeline: row });
    // Private to its owner like the incident it comes from (0600): it holds what members told.
    sink = file ? new OutputFile(file, 'the report', 0o600) : undefined;
    const write = async (data: string | Buffer): Promise<void> => {
      if (sink) sink.write(data);
      else if (!options.stdout.write(data)) await once(options.stdout, 'drain');
    };
    if (format === 'html') await write(htmlHead(model, { zone }));
    else if (format === 'md') await write(markdownHead(model));
    else {
      const head = terminalSafeJson(JSON.stringify(reportJson(model), null, 2));
      await write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "timeline": [`);
    }
    for (const chunk of spill.read()) await write(chunk);
    if (format === 'html') await write(htmlTail());
    else if (format === 'json') await write(`${rows === 0 ? '' : '\n  '}]\n}\n`);
    if (sink) {
      sink.commit();
      sink = undefined;
      out.message(`Wrote the report of incident ${id} to ${printable(file!)}${model.verification.ok ? '' : ' (its evidence log does NOT verify: the report says where)'}.`);
    }
    // An attachment that no longer matches its hash: the report is written, and says so.
    return model.verification.ok ? EXIT.ok : EXIT.checkFailed;
  } finally {
    sink?.abort();
    spill?.dispose();
    incident.close();
  }
}
