/**
 * `leakctl verify INCIDENT|FILE [--head HASH]`: recompute the hash chain and re-hash the
 * attachments. Exit 0 with the entry count and head hash; exit 3 naming the first bad line.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { verifyLog } from '../evidence/verify.js';
import { LOG_FILE } from '../evidence/log.js';
import type { CommonOptions } from '../options.js';
import { existingIncident, INCIDENT_ID } from '../run/locate.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, target: string, opts: { head?: string }): Promise<number> {
  const out = await Output.create(options);
  if (opts.head !== undefined && !/^[0-9a-f]{64}$/.test(opts.head)) {
    throw new InvalidInput(`--head "${opts.head}" is not a SHA-256 hash (64 lowercase hex digits)`);
  }
  const dir = incidentDirFor(options, target);
  const report = await verifyLog(dir, opts.head !== undefined ? { head: opts.head } : {});
  if (options.json) {
    out.json({ incident: basename(dir), dir, ...report });
  } else if (report.ok) {
    out.result(`OK  ${report.entries} entries, head ${report.head ?? '-'}`);
    out.message(`${report.attachments} attachment(s) intact${opts.head ? '; the given head is the head of the log, nothing was cut' : ''}.`);
  } else {
    for (const problem of report.problems) out.message(out.style.red(printable(problem.message)));
    out.message(`${resolve(dir, LOG_FILE)}: the evidence log does not verify (${report.entries} entries intact before the first problem).`);
  }
  return report.ok ? 0 : 3;
}

/** An incident id in the incidents directory, or a path to an incident directory or its log. */
function incidentDirFor(options: CommonOptions, target: string): string {
  const path = resolve(options.cwd, target);
  const isPathLike = target.includes('/') || target.includes('\\') || target.endsWith('.jsonl') || !INCIDENT_ID.test(target);
  if (isPathLike || (existsSync(path) && !existsSync(resolve(options.incidentsDir, target)))) {
    if (!existsSync(path)) throw new InvalidInput(`${target}: no such file or directory`);
    if (statSync(path).isDirectory()) {
      if (!existsSync(resolve(path, LOG_FILE))) throw new InvalidInput(`${target}: no ${LOG_FILE} in this directory`);
      return path;
    }
    if (basename(path) !== LOG_FILE) throw new InvalidInput(`${target}: verify takes an incident id, an incident directory or its ${LOG_FILE}`);
    return dirname(path);
  }
  return existingIncident(options, target);
}
