/** `leakctl handoff INCIDENT NAME` (issue 17, item 4): who leads the response from now, after whom. */
import { loadSettings } from '../config/settings.js';
import { writeIncident } from '../incident/open.js';
import type { CommonOptions } from '../options.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';
import { nameOf } from '../run/names.js';

export async function run(options: CommonOptions, id: string, to: string, opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const name = nameOf(to, 'who leads');
  const settings = loadSettings(options);
  const incident = await writeIncident(options, id, settings.config, opts.responder, (t) => out.message(t));
  try {
    incident.refuseClosed();
    const before = incident.state.lead?.name ?? incident.state.opened!.responder;
    const entry = await incident.record('lead.handed', { to: name, from: before });
    if (options.json) out.json(entry);
    else out.message(`${printable(name)} leads incident ${id} from now, after ${printable(before)} (entry #${entry.seq}).`);
  } finally {
    incident.close();
  }
  return 0;
}
