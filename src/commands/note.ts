/** `leakctl note INCIDENT TEXT`: a free-text observation, timestamped in the evidence log. */
import { loadConfig } from '../config/settings.js';
import { writeIncident } from '../incident/open.js';
import type { CommonOptions } from '../options.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';

export async function run(options: CommonOptions, id: string, words: string[], opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const text = words.join(' ').trim();
  if (text === '') throw new InvalidInput('the note is empty; write the observation after the incident id');
  const incident = await writeIncident(options, id, loadConfig(options), opts.responder, (t) => out.message(t));
  try {
    const entry = await incident.record('note.added', { text });
    if (options.json) out.json(entry);
    else {
      out.message(`Noted in incident ${id} (entry #${entry.seq}, ${entry.at}).`);
      out.message(out.style.dim(`Next: leakctl next ${id}`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
