/**
 * `leakctl close INCIDENT`: log `incident.closed`; the log is read-only for leakctl afterwards.
 * With a signing key (`--key`, or `signing_key:` in the config) the closed log is then sealed.
 */
import { loadSettings } from '../config/settings.js';
import { printSealed, sealIncident, signingKeyOf, tsaOf, type Sealed } from '../incident/seal.js';
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
    const entry = await incident.record('incident.closed', { open_steps: open, ...(declined.length > 0 ? { declined_steps: declined } : {}) });
    // With a signing key, the closed log is sealed, its closing entry included (issue 16).
    const key = signingKeyOf(opts.key, options.cwd, settings.config.signingKey);
    let sealed: Sealed | undefined;
    if (key !== undefined) {
      try {
        sealed = await sealIncident(incident, key, settings.config.allowedSigners, tsaOf(settings.config));
      } catch (error) {
        if (!(error instanceof LeakctlError)) throw error;
        out.message(out.style.red(`Closed incident ${id}, but could not seal it: ${error.message.replace(/ Nothing was written\.$/, '')} Seal it with: leakctl seal ${id} --key FILE`));
        return error.exitCode;
      }
    }
    if (options.json) out.json(entry);
    else {
      out.message(`Closed incident ${id} (entry #${entry.seq}, head ${entry.hash}).`);
      if (sealed) printSealed(out, sealed, incident.dir, settings.config.allowedSigners);
      if (open.length > 0) out.message(`It was closed with ${open.length} step(s) unanswered: ${open.join(', ')}.`);
      if (declined.length > 0) out.message(`Declined, with their reasons in the log: ${declined.join(', ')}.`);
      out.message(out.style.dim(`Next: leakctl verify ${id} --head ${entry.hash} (keep that head hash apart from the log)`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
