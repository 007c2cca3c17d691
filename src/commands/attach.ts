/** `leakctl attach INCIDENT FILE…`: evidence files hashed, copied into the incident and logged. */
import { resolve } from 'node:path';
import { loadConfig } from '../config/settings.js';
import { writeIncident } from '../incident/open.js';
import type { CommonOptions } from '../options.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, files: string[], opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const incident = await writeIncident(options, id, loadConfig(options), opts.responder, (t) => out.message(t));
  try {
    const sources = files.map((file) => resolve(options.cwd, file));
    const { entry, files: copied } = await incident.recordFiles(sources, (stored) => ({ type: 'evidence.attached', data: { files: stored } }));
    if (options.json) {
      out.json(entry);
    } else {
      for (const file of copied) out.result(`${file.sha256}  ${file.bytes} bytes  ${printable(file.original)} → ${file.path}`);
      out.message(`Attached to incident ${id} (entry #${entry.seq}).`);
      out.message(out.style.dim(`Next: leakctl next ${id}`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
