/**
 * `leakctl do INCIDENT STEP [--value VALUE]`: answer one step now, in any order (issue 10): an
 * open, deferred or declined step, by prompt or `--value`. A step already answered is changed
 * with `amend`, which says so in the log.
 */
import { displayTime } from '../deadlines/format.js';
import { displayZone } from '../config/settings.js';
import type { CommonOptions } from '../options.js';
import { checkCanAsk, oneStepRun, withStep } from '../run/one-step.js';
import { answerStep } from '../run/runner.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, stepId: string, opts: { value?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  checkCanAsk(options, opts.value);
  const entry = await withStep(options, out, { id, step: stepId, responder: opts.responder }, async (one) => {
    const answered = one.incident.state.answers.get(stepId);
    if (answered) {
      const when = displayTime(answered.at, displayZone(options, one.settings.config));
      throw new InvalidInput(`step "${stepId}" was already answered (entry #${answered.seq}, by ${printable(answered.actor)}, ${when}); to change the answer: leakctl amend ${id} ${stepId}`);
    }
    return answerStep(oneStepRun(options, out, one, opts.value), one.placed);
  });
  if (options.json) out.json(entry);
  else {
    const what = entry.type === 'step.answered' ? 'Answered' : entry.type === 'step.deferred' ? 'Deferred' : entry.type === 'step.declined' ? 'Declined' : 'Skipped';
    out.message(`${what} step "${stepId}" of incident ${id} (entry #${entry.seq}).`);
    out.message(out.style.dim(`Next: leakctl next ${id}`));
  }
  return 0;
}
