/**
 * `leakctl verify INCIDENT|FILE [--head HASH]`: recompute the hash chain and re-hash the
 * attachments. Exit 0 with the entry count and head hash; exit 3 naming the first bad line. FILE
 * is any file, whatever its name: an auditor checks a copy.
 */
import { existsSync, lstatSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NoLogFile } from '../evidence/chain.js';
import { sealedCheckpointInWords } from '../evidence/checkpoints.js';
import { clockSetByHandInWords } from '../evidence/describe.js';
import { ATTACHMENTS_DIR, LOG_FILE } from '../evidence/layout.js';
import { doesNotVerify, verifyIncident, verifyLog, type VerifyOptions, type VerifyReport } from '../evidence/verify.js';
import { incidentPlace } from '../incident/incident.js';
import { INCIDENT_ID } from '../incident/locate.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';
import { loadConfig } from '../config/settings.js';
import { commandClock } from '../incident/open.js';

export async function run(options: CommonOptions, target: string, opts: { head?: string; allowedSigners?: string; tsaCa?: string; checkpoint?: string[] }): Promise<number> {
  const out = await Output.create(options);
  const { file, dir, copy, id } = logOf(options, target);
  let report;
  try {
    // Whom checkpoints may be signed by: --allowed-signers, else the config's (an auditor checking
    // a copy names the file and needs no config).
    const config = opts.allowedSigners === undefined || opts.tsaCa === undefined ? loadConfig(options) : undefined;
    const allowedSigners = opts.allowedSigners !== undefined ? resolve(options.cwd, opts.allowedSigners) : config?.allowedSigners;
    const tsaCa = opts.tsaCa !== undefined ? resolve(options.cwd, opts.tsaCa) : config?.tsaCa;
    // An incident is all its chains (issue 17); a file is the one log it holds.
    const whole = id !== undefined && basename(file) === LOG_FILE;
    const check = (o: VerifyOptions): Promise<VerifyReport> => (whole ? verifyIncident(dir, o) : verifyLog(file, o));
    report = await check({
      dir,
      copy,
      now: commandClock(options).now(),
      ...(opts.head !== undefined ? { head: opts.head } : {}),
      ...(allowedSigners !== undefined ? { allowedSigners } : {}),
      ...(tsaCa !== undefined ? { tsaCa } : {}),
      ...(opts.checkpoint ? { checkpointCopies: opts.checkpoint.map((given) => ({ file: resolve(options.cwd, given), shown: given })) } : {}),
      ...(id !== undefined ? { incident: id } : {}),
    });
  } catch (error) {
    if (error instanceof NoLogFile) {
      throw new InvalidInput(id ? `incident ${id} was never started: it has no evidence log (${printable(file)})` : `${printable(target)}: no evidence log at ${printable(file)}`);
    }
    throw error;
  }
  if (options.json) {
    out.json({ incident: basename(dir), dir, file, ...report });
  } else if (report.ok) {
    out.result(`OK  ${report.entries} entries, head ${report.head ?? '-'}`);
    const after = report.headLine !== undefined ? report.entries - report.headLine : 0;
    const head =
      opts.head === undefined
        ? ''
        : after === 0
          ? '; the given head is the head of the log, nothing was cut'
          : `; the given head is entry #${report.headLine! - 1}, and ${after} ${after === 1 ? 'entry was' : 'entries were'} added after it, nothing was cut`;
    out.message(`${report.attachments} attachment(s) intact${head}.`);
    for (const c of report.checkpoints ?? []) out.message(printable(sealedCheckpointInWords(c)));
    if (report.attachmentsNotChecked) {
      out.message(`${report.attachmentsNotChecked} attachment(s) the log names were not checked: there is no ${ATTACHMENTS_DIR}/ directory beside ${printable(file)}. Copy the whole incident directory to check them too.`);
    }
  } else {
    for (const problem of report.problems) out.message(out.style.red(printable(problem.message)));
    out.message(doesNotVerify(file, report.entries));
  }
  const clock = clockSetByHandInWords(report.clockSetByHand ?? null);
  if (clock) out.message(out.style.yellow(`warning: ${clock}`));
  return report.ok ? 0 : 3;
}

/**
 * An incident id in the incidents directory (with the same checks of its place as every other
 * command), an incident directory, or any file holding a log.
 */
function logOf(options: CommonOptions, target: string): { file: string; dir: string; copy: boolean; id?: string } {
  if (INCIDENT_ID.test(target) && !target.endsWith('.jsonl') && existsSync(join(options.incidentsDir, target))) {
    return { ...incidentPlace(options.incidentsDir, target), copy: false, id: target };
  }
  const path = resolve(options.cwd, target);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    if (INCIDENT_ID.test(target) && !target.includes('.')) {
      throw new InvalidInput(`no incident "${printable(target)}" in ${options.incidentsDir}, and no such file or directory; \`leakctl status\` lists the incidents (or pass --dir)`);
    }
    throw new InvalidInput(`${printable(target)}: no such file or directory`);
  }
  // An incident's directory, wherever it is, is named by its id (as the bundle's verify.py reads
  // it): its checkpoints must name that incident.
  if (st.isDirectory()) return { file: join(path, LOG_FILE), dir: path, copy: false, id: basename(path) };
  // Any other kind (a link, a FIFO) is refused by the reader itself, with its reason. A file that
  // is not an incident's own log is a copy: its attachments may not have come with it.
  const copy = basename(path) !== LOG_FILE;
  return { file: path, dir: dirname(path), copy, ...(copy ? {} : { id: basename(dirname(path)) }) };
}
