/**
 * `leakctl assign INCIDENT STEP|PHASE NAME` and `leakctl handoff INCIDENT NAME` (issue 17, item
 * 4): who owns a step or a whole phase, and who leads the response. Each is an entry of the log,
 * so it replays, verifies and (once responders sync) travels like any answer; the board shows
 * the owners and `next --responder NAME` lists that person's steps first.
 */
import { loadSettings } from '../config/settings.js';
import { writeIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommonOptions } from '../options.js';
import { nameOf } from '../run/names.js';
import { closestIds, placedSteps } from '../run/steps.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, target: string, owner: string, opts: { responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const name = nameOf(owner, 'the owner');
  const settings = loadSettings(options);
  const incident = await writeIncident(options, id, settings.config, opts.responder, (t) => out.message(t));
  try {
    incident.refuseClosed();
    const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn: (t) => out.message(t), checkTemplates: false });
    // A step first, then a phase: the ids a responder sees on the board.
    const step = placedSteps(playbook).find((p) => p.step.id === target);
    const phase = step ? undefined : playbook.phases.find((p) => p.id === target);
    if (!step && !phase) {
      const close = closestIds(target, [...placedSteps(playbook).map((p) => p.step.id), ...playbook.phases.map((p) => p.id)]);
      const hint = close.length > 0 ? `did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : `\`leakctl show ${playbook.id}\` lists its phases and steps`;
      throw new InvalidInput(`incident ${id} (playbook ${playbook.id}) has no step or phase "${printable(target)}"; ${hint}`);
    }
    const entry = await incident.record('step.assigned', { ...(step ? { step: target } : { phase: target }), owner: name });
    if (options.json) out.json(entry);
    else {
      out.message(`${step ? `Step "${target}"` : `Phase "${target}" (${printable(phase!.title)})`} of incident ${id} is ${printable(name)}'s (entry #${entry.seq}).`);
      out.message(out.style.dim(`Their steps come first in: leakctl next ${id} --responder ${JSON.stringify(name)}`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
