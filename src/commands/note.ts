/** `leakctl note INCIDENT TEXT`: a free-text observation, timestamped in the evidence log. */
import { loadConfig } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { commandNow, responderName, withIncidentLog } from '../run/incident.js';
import { existingIncident } from '../run/locate.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';

export async function run(options: CommonOptions, id: string, words: string[], opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const dir = existingIncident(options, id);
  const text = words.join(' ').trim();
  if (text === '') throw new InvalidInput('the note is empty; write the observation after the incident id');
  const actor = responderName(opts.responder, undefined, loadConfig(options).responder, options.cwd);
  const entry = await withIncidentLog(dir, commandNow(options), async (log) => log.append('note.added', actor, { text }, commandNow(options)));
  if (options.json) out.json(entry);
  else out.message(`Noted in incident ${id} (entry #${entry.seq}, ${entry.at}).`);
  return 0;
}
