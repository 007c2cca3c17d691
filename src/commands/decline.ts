/**
 * `leakctl decline INCIDENT STEP --reason TEXT`: "won't do" for a step, with the reason (issue
 * 10). A declined required step is a gap that `status`, `next` and drills keep showing; answering
 * it later (`leakctl do`) closes the gap.
 */
import type { CommonOptions } from '../options.js';
import { withStep } from '../run/one-step.js';
import { recordDecline } from '../run/runner.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, stepId: string, opts: { reason?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  if (opts.reason === undefined || opts.reason.trim() === '') {
    throw new InvalidInput(`declining a step needs a reason, kept in the evidence log: leakctl decline ${id} ${stepId} --reason "why it will not be done"`);
  }
  const reason = opts.reason;
  const entry = await withStep(options, out, { id, step: stepId, responder: opts.responder }, async (one) => {
    const answered = one.incident.state.answers.get(stepId);
    if (answered) {
      throw new InvalidInput(`step "${stepId}" is already answered (entry #${answered.seq}, by ${printable(answered.actor)}); an answer is not taken back, but it can be changed: leakctl amend ${id} ${stepId}`);
    }
    return recordDecline({ incident: one.incident }, one.placed.step, reason);
  });
  if (options.json) out.json(entry);
  else {
    out.message(`Declined step "${stepId}" of incident ${id} (entry #${entry.seq}).`);
    out.message(out.style.dim(`Changed your mind? leakctl do ${id} ${stepId}`));
  }
  return 0;
}
