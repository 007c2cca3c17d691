/**
 * `leakctl defer INCIDENT STEP [--reason TEXT] [--until WHEN]`: "not yet" for a step (issue 10).
 * It stays on the board as deferred; `next` brings it back first once `--until` has come.
 */
import { displayTime } from '../deadlines/format.js';
import { displayZone } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { withStep } from '../run/one-step.js';
import { recordDeferral } from '../run/runner.js';
import { parseReminder } from '../time/moment.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, stepId: string, opts: { reason?: string; until?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  const { entry, zone } = await withStep(options, out, { id, step: stepId, responder: opts.responder }, async (one) => {
    const { incident } = one;
    const zone = displayZone(options, one.settings.config);
    const answered = incident.state.answers.get(stepId);
    if (answered) {
      throw new InvalidInput(`step "${stepId}" is already answered (entry #${answered.seq}, by ${printable(answered.actor)}); to change the answer: leakctl amend ${id} ${stepId}`);
    }
    let until: string | undefined;
    if (opts.until !== undefined) {
      const moment = parseReminder(opts.until, incident.clock!.now(), zone);
      if (!moment.ok) throw new InvalidInput(`--until: ${moment.message}`);
      until = moment.value;
    }
    const recorded = await recordDeferral({ incident }, one.placed.step, { ...(opts.reason !== undefined ? { reason: opts.reason } : {}), ...(until ? { until } : {}) });
    return { entry: recorded, zone };
  });
  if (options.json) out.json(entry);
  else {
    const until = typeof entry.data.until === 'string' ? `; reminder at ${displayTime(new Date(entry.data.until), zone)}` : '';
    out.message(`Deferred step "${stepId}" of incident ${id} (entry #${entry.seq})${until}.`);
    out.message(out.style.dim(`Answer it when you can: leakctl do ${id} ${stepId}`));
  }
  return 0;
}
