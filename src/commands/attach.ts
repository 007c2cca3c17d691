/** `leakctl attach INCIDENT FILE…`: evidence files hashed, copied into the incident and logged. */
import { resolve } from 'node:path';
import { loadConfig } from '../config/settings.js';
import { copyAttachment } from '../evidence/attachments.js';
import type { CommonOptions } from '../options.js';
import { commandNow, responderName, withIncidentLog } from '../run/incident.js';
import { existingIncident } from '../run/locate.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, files: string[], opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const dir = existingIncident(options, id);
  const actor = responderName(opts.responder, undefined, loadConfig(options).responder, options.cwd);
  const entry = await withIncidentLog(dir, commandNow(options), async (log) => {
    const copied = [];
    for (const file of files) copied.push(await copyAttachment(dir, resolve(options.cwd, file)));
    return log.append('evidence.attached', actor, { files: copied }, commandNow(options));
  });
  if (options.json) {
    out.json(entry);
  } else {
    for (const file of entry.data.files as { path: string; sha256: string; bytes: number; original: string }[]) {
      out.result(`${file.sha256}  ${file.bytes} bytes  ${printable(file.original)} → ${file.path}`);
    }
    out.message(`Attached to incident ${id} (entry #${entry.seq}).`);
  }
  return 0;
}
