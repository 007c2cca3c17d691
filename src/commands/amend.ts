/**
 * `leakctl amend INCIDENT STEP [--value YAML]`: answer a step again, through the one runner. The
 * new answer is appended; the earlier one stays in the log, and replay takes the latest.
 * Deadlines are recomputed.
 */
import { SENSITIVE_PLACEHOLDER } from '../evidence/describe.js';
import type { CommonOptions } from '../options.js';
import { checkCanAsk, oneStepRun, withStep } from '../run/one-step.js';
import { answerStep } from '../run/runner.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, id: string, stepId: string, opts: { value?: string; responder?: string }): Promise<number> {
  const out = await Output.create(options);
  checkCanAsk(options, opts.value);
  const entry = await withStep(options, out, { id, step: stepId, responder: opts.responder }, async (one) => {
    const { step } = one.placed;
    const previous = one.incident.state.answers.get(stepId);
    if (previous) {
      const shown = step.sensitive ? SENSITIVE_PLACEHOLDER : printable(JSON.stringify(previous.value));
      out.message(`Earlier answer (entry #${previous.seq}): ${shown}`);
    }
    return answerStep(oneStepRun(options, out, one, opts.value), one.placed, { again: true });
  });
  if (options.json) out.json(entry);
  else {
    out.message(`Amended step "${stepId}" of incident ${id} (entry #${entry.seq}); the earlier answer stays in the log.`);
    out.message(out.style.dim(`Next: leakctl render ${id} to bring the drafts up to date, or leakctl next ${id}`));
  }
  return 0;
}
