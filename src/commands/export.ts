/**
 * `leakctl export INCIDENT --bundle PATH` (issue 16): the incident as a bundle a third party
 * checks without leakctl — a directory, or a .tar.gz when PATH ends so (incident/bundle.ts).
 */
import { loadConfig } from '../config/settings.js';
import { checkBundleTarget, writeBundle } from '../incident/bundle.js';
import { checkOutputPath } from '../evidence/durable.js';
import { commandClock, readIncident } from '../incident/open.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';
import { join, resolve } from 'node:path';
import { packageRoot, packageVersion } from '../package-root.js';

export async function run(options: CommonOptions, id: string, opts: { bundle?: string }): Promise<number> {
  const out = await Output.create(options);
  if (opts.bundle === undefined) throw new InvalidInput('say where the bundle goes: --bundle DIR (a new directory) or --bundle FILE.tar.gz');
  const config = loadConfig(options);
  const target = resolve(options.cwd, opts.bundle);
  checkBundleTarget(target, opts.bundle);
  checkOutputPath(target, opts.bundle, '--bundle', { files: [], dirs: [options.incidentsDir], output: 'directory or .tar.gz file' });
  const incident = await readIncident(options, id, (t) => out.message(t));
  try {
    const bundle = await writeBundle(incident, {
      target,
      now: commandClock(options).now(),
      version: packageVersion(),
      verifier: join(packageRoot(), 'verifier', 'verify.py'),
      ...(config.allowedSigners ? { allowedSigners: config.allowedSigners } : {}),
      ...(config.tsaCa ? { tsaCa: config.tsaCa } : {}),
    });
    const { report } = bundle;
    if (options.json) {
      out.json({ incident: id, bundle: target, archive: bundle.archive, files: bundle.files, left_out: bundle.leftOut, entries: report.entries, head: report.head, attachments: report.attachments, checkpoints: report.checkpoints?.length ?? 0 });
    } else {
      out.result(target);
      out.message(`Exported incident ${id}: ${report.entries} entries (head ${report.head}), ${report.attachments} attachment(s), ${report.checkpoints?.length ?? 0} checkpoint(s), ${bundle.files} files in all.`);
      if (bundle.leftOut.length > 0) out.message(`Left out ${bundle.leftOut.length} file(s) the log does not vouch for (an attachment no entry names, a draft changed since it was rendered): ${bundle.leftOut.map(printable).join(', ')}.`);
      out.message(out.style.yellow(`The bundle holds the whole log, answers to sensitive steps included, and every attachment: send it only to those who may read all of the incident.`));
      if (!report.checkpoints?.length) out.message(out.style.yellow(`warning: the log was never sealed, so nothing outside it vouches for it; leakctl seal ${id} first, then export again.`));
      out.message(out.style.dim(`${bundle.archive ? `Unpack it (tar -xzf ${printable(target)}) and follow` : 'Follow'} VERIFY.md inside: it checks everything with sha256sum, ssh-keygen${report.checkpoints?.some((c) => c.timestamp) ? ', openssl' : ''} and python3 alone.`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
