/**
 * `leakctl close INCIDENT`: log `incident.closed`; the log is read-only for leakctl afterwards.
 * With a signing key (`--key`, or `signing_key:` in the config) the log is sealed first.
 */
import { resolve } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { sealIncident } from '../incident/seal.js';
import { printable } from '../ui/text.js';
import { writeIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { answerValues } from '../evidence/state.js';
import { openSteps, stepStanding } from '../run/steps.js';
import { LeakctlError } from '../ui/errors.js';
import { Output } from '../ui/output.js';

export async function run(options: CommonOptions, id: string, opts: { responder?: string; key?: string }): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const incident = await writeIncident(options, id, settings.config, opts.responder, (t) => out.message(t));
  try {
    let open: string[] = [];
    let declined = [...incident.state.declined.keys()];
    try {
      const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn: () => undefined, checkTemplates: false });
      // Open and deferred alike: neither was done. A step whose condition has since turned false
      // does not apply, whatever was said of it.
      const answers = answerValues(incident.state);
      const standing = (id: string) => {
        const step = playbook.phases.flatMap((p) => p.steps).find((s) => s.id === id);
        return step ? stepStanding(step, incident.state, answers) : 'condition_false';
      };
      open = [...openSteps(playbook, incident.state).map(({ step }) => step.id), ...[...incident.state.deferred.keys()].filter((id) => standing(id) === 'deferred')];
      declined = declined.filter((id) => standing(id) === 'declined');
    } catch (error) {
      // The playbook may be gone or broken; closing does not need it.
      if (!(error instanceof LeakctlError)) throw error;
    }
    // With a signing key configured, the log is sealed before it closes (issue 16).
    const key = opts.key !== undefined ? resolve(options.cwd, opts.key) : settings.config.signingKey;
    const sealed = key !== undefined ? await sealIncident(incident, key, settings.config.allowedSigners) : undefined;
    const entry = await incident.record('incident.closed', { open_steps: open, ...(declined.length > 0 ? { declined_steps: declined } : {}) });
    if (options.json) out.json(entry);
    else {
      if (sealed) out.message(`Sealed the first ${sealed.size} entries in ${String(sealed.entry.data.checkpoint)}, signed with ${sealed.fingerprint}${sealed.principal ? ` (${printable(sealed.principal)})` : ''}.`);
      out.message(`Closed incident ${id} (entry #${entry.seq}, head ${entry.hash}).`);
      if (open.length > 0) out.message(`It was closed with ${open.length} step(s) unanswered: ${open.join(', ')}.`);
      if (declined.length > 0) out.message(`Declined, with their reasons in the log: ${declined.join(', ')}.`);
      out.message(out.style.dim(`Next: leakctl verify ${id} --head ${entry.hash} (keep that head hash apart from the log)`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
