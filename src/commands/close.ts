/** `leakctl close INCIDENT`: log `incident.closed`; the log is read-only for leakctl afterwards. */
import { loadSettings } from '../config/settings.js';
import { writeIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { openSteps } from '../run/runner.js';
import { LeakctlError } from '../ui/errors.js';
import { Output } from '../ui/output.js';

export async function run(options: CommonOptions, id: string, opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const incident = await writeIncident(options, id, settings.config, opts.responder, (t) => out.message(t));
  try {
    let open: string[] = [];
    const declined = [...incident.state.declined.keys()];
    try {
      const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn: () => undefined, checkTemplates: false });
      // Open and deferred alike: neither was done.
      open = [...openSteps(playbook, incident.state).map(({ step }) => step.id), ...incident.state.deferred.keys()];
    } catch (error) {
      // The playbook may be gone or broken; closing does not need it.
      if (!(error instanceof LeakctlError)) throw error;
    }
    const entry = await incident.record('incident.closed', { open_steps: open, ...(declined.length > 0 ? { declined_steps: declined } : {}) });
    if (options.json) out.json(entry);
    else {
      out.message(`Closed incident ${id} (entry #${entry.seq}, head ${entry.hash}).`);
      if (open.length > 0) out.message(`It was closed with ${open.length} step(s) unanswered: ${open.join(', ')}.`);
      if (declined.length > 0) out.message(`Declined, with their reasons in the log: ${declined.join(', ')}.`);
    }
  } finally {
    incident.close();
  }
  return 0;
}
