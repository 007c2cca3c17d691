/**
 * `leakctl log INCIDENT`: the evidence log as a readable timeline (`--json`: the raw entries as
 * one JSON array). The log is verified first, like every reader: a log that does not verify is
 * refused (exit 3) and nothing of it is shown. Text from answers and files is shown escaped,
 * never as terminal codes, and the answers to `sensitive: true` steps as [sensitive] (the log
 * itself keeps them: README, "Sensitive answers"). `--json` is the raw log, for tools.
 */
import { once } from 'node:events';
import { displayZone, loadConfig, loadSettings } from '../config/settings.js';
import { displayTime } from '../deadlines/format.js';
import { clockSetByHandInWords, describeEntry } from '../evidence/describe.js';
import { readIncident } from '../incident/open.js';
import { sensitiveStepsOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { Output } from '../ui/output.js';
import { printable, terminalSafeJson } from '../ui/text.js';

export async function run(options: CommonOptions, id: string): Promise<number> {
  const out = await Output.create(options);
  const incident = await readIncident(options, id, (t) => out.message(t));
  const timeZone = displayZone(options, loadConfig(options));
  // undefined: not looked up yet; null: the playbook is unavailable, every answer is hidden.
  let sensitive: ReadonlySet<string> | null | undefined;
  let first = true;
  // Written with back-pressure, so that a million-entry log piped somewhere slow stays in
  // bounded memory instead of queueing in the stream.
  const write = async (text: string): Promise<void> => {
    if (!options.stdout.write(text)) await once(options.stdout, 'drain');
  };
  try {
    if (!options.json) {
      const warning = clockSetByHandInWords(incident.state.clockSetByHand);
      if (warning) out.message(out.style.yellow(`⚠ ${warning}`));
    }
    if (options.json) {
      await write('[');
      // The lines as written, with the controls JSON.stringify leaves as they are (C1, bidi)
      // written as \u escapes: the same JSON values, but nothing a terminal would act on.
      for await (const line of incident.lines()) {
        await write(`${first ? '\n' : ',\n'}${terminalSafeJson(line)}`);
        first = false;
      }
      await write(first ? ']\n' : '\n]\n');
      return 0;
    }
    for await (const e of incident.entries()) {
      // The playbook says which steps are sensitive; it is loaded only once an answer needs it.
      if (e.type === 'step.answered' && sensitive === undefined) sensitive = sensitiveStepsOf(incident.state.opened!.playbook, id, { settings: loadSettings(options), cwd: options.cwd }, (t) => out.message(t));
      await write(`${out.style.dim(displayTime(new Date(e.at), timeZone))}  ${out.style.dim(incident.entryName(e))}  ${printable(e.actor)}  ${out.style.bold(e.type)}  ${printable(describeEntry(e, sensitive))}\n`);
    }
  } finally {
    incident.close();
  }
  return 0;
}
