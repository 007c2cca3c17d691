/**
 * `leakctl verify INCIDENT|FILE [--head HASH]`: recompute the hash chain and re-hash the
 * attachments. Exit 0 with the entry count and head hash; exit 3 naming the first bad line. FILE
 * is any file, whatever its name: an auditor checks a copy.
 */
import { existsSync, lstatSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { NoLogFile } from '../evidence/chain.js';
import { ATTACHMENTS_DIR, LOG_FILE } from '../evidence/layout.js';
import { verifyLog } from '../evidence/verify.js';
import { checkIncidentId, INCIDENT_ID } from '../incident/locate.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, target: string, opts: { head?: string }): Promise<number> {
  const out = await Output.create(options);
  if (opts.head !== undefined && !/^[0-9a-f]{64}$/.test(opts.head)) {
    throw new InvalidInput(`--head "${printable(opts.head)}" is not a SHA-256 hash (64 lowercase hex digits)`);
  }
  const { file, dir, copy } = logOf(options, target);
  let report;
  try {
    report = await verifyLog(file, { dir, copy, ...(opts.head !== undefined ? { head: opts.head } : {}) });
  } catch (error) {
    if (error instanceof NoLogFile) throw new InvalidInput(`${printable(target)}: no evidence log at ${file}`);
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
    if (report.attachmentsNotChecked) {
      out.message(`${report.attachmentsNotChecked} attachment(s) the log names were not checked: there is no ${ATTACHMENTS_DIR}/ directory beside ${file}. Copy the whole incident directory to check them too.`);
    }
  } else {
    for (const problem of report.problems) out.message(out.style.red(printable(problem.message)));
    out.message(`${file}: the evidence log does not verify (${report.entries} entries intact before the first problem).`);
  }
  if (report.clockSetByHand) {
    const c = report.clockSetByHand;
    out.message(out.style.yellow(`warning: ${c.entries} ${c.entries === 1 ? 'entry' : 'entries'} of this real incident (from #${c.first}) were written with a clock set by hand (--now, LEAKCTL_NOW or an answers file), not the wall clock.`));
  }
  return report.ok ? 0 : 3;
}

/** An incident id in the incidents directory, an incident directory, or any file holding a log. */
function logOf(options: CommonOptions, target: string): { file: string; dir: string; copy: boolean } {
  const path = resolve(options.cwd, target);
  const isId = INCIDENT_ID.test(target) && !target.endsWith('.jsonl') && existsSync(join(options.incidentsDir, target));
  if (isId) {
    const dir = join(options.incidentsDir, checkIncidentId(target));
    return { file: join(dir, LOG_FILE), dir, copy: false };
  }
  let st;
  try {
    st = lstatSync(path);
  } catch {
    if (INCIDENT_ID.test(target) && !target.includes('.')) {
      throw new InvalidInput(`no incident "${printable(target)}" in ${options.incidentsDir}, and no such file or directory; \`leakctl status\` lists the incidents (or pass --dir)`);
    }
    throw new InvalidInput(`${printable(target)}: no such file or directory`);
  }
  if (st.isDirectory()) return { file: join(path, LOG_FILE), dir: path, copy: false };
  // Any other kind (a link, a FIFO) is refused by the reader itself, with its reason. A file that
  // is not an incident's own log is a copy: its attachments may not have come with it.
  const dir = resolve(path, '..');
  return { file: path, dir, copy: basename(path) !== LOG_FILE };
}
