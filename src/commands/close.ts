/** `leakctl close INCIDENT`: log `incident.closed`; the log is read-only for leakctl afterwards. */
import { loadConfig, loadSettings } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { commandNow, playbookOfIncident, replayIncident, responderName, withIncidentLog } from '../run/incident.js';
import { existingIncident } from '../run/locate.js';
import { openSteps } from '../run/runner.js';
import { LeakctlError } from '../ui/errors.js';
import { Output } from '../ui/output.js';

export async function run(options: CommonOptions, id: string, opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const dir = existingIncident(options, id);
  const actor = responderName(opts.responder, undefined, loadConfig(options).responder, options.cwd);
  const entry = await withIncidentLog(dir, commandNow(options), async (log) => {
    const { state } = await replayIncident(dir, id);
    let open: string[] = [];
    try {
      const playbook = playbookOfIncident(state, loadSettings(options), options.cwd, () => undefined, false);
      open = openSteps(playbook, state).map(({ step }) => step.id);
    } catch (error) {
      // The playbook may be gone or broken; closing does not need it.
      if (!(error instanceof LeakctlError)) throw error;
    }
    return log.append('incident.closed', actor, { open_steps: open }, commandNow(options));
  });
  const open = entry.data.open_steps as string[];
  if (options.json) out.json(entry);
  else {
    out.message(`Closed incident ${id} (entry #${entry.seq}, head ${entry.hash}).`);
    if (open.length > 0) out.message(`It was closed with ${open.length} step(s) unanswered: ${open.join(', ')}.`);
  }
  return 0;
}
