/**
 * `leakctl start [PLAYBOOK]`: open an incident and run it, with prompts in a terminal or from
 * `--answers FILE`. Without PLAYBOOK, a first question tells a platform-caused leak from a
 * member-caused one (the playbooks' own `triage:` carries the distinctions) and picks the playbook.
 */
import { displayZone } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { reportSummary, startSession } from '../run/session.js';
import { Output } from '../ui/output.js';

export interface StartOptions {
  readonly answers?: string;
  readonly id?: string;
  readonly responder?: string;
  readonly drill?: boolean;
}

export async function run(options: CommonOptions, ref: string | undefined, opts: StartOptions): Promise<number> {
  const out = await Output.create(options);
  const { run, summary } = await startSession(options, out, { ...opts, ...(ref !== undefined ? { playbook: ref } : {}) });
  if (options.json) out.json({ ...summary, drill: run.incident.drill });
  else reportSummary(summary, out, displayZone(options, run.settings.config));
  return 0;
}
