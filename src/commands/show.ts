/** `leakctl show PLAYBOOK`: a playbook as a readable outline, or the typed playbook as JSON. */
import { loadSettings } from '../config/settings.js';
import { withinInWords } from '../time/duration.js';
import type { CommonOptions } from '../options.js';
import { conditionInWords } from '../playbook/conditions.js';
import { loadPlaybook } from '../playbook/discover.js';
import type { Step } from '../playbook/types.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export async function run(options: CommonOptions, ref: string): Promise<number> {
  const out = await Output.create(options);
  const playbook = loadPlaybook(ref, loadSettings(options), options.cwd);
  if (options.json) {
    out.json(playbook);
    return 0;
  }
  const { bold, dim, cyan } = out.style;
  const version = playbook.version === undefined ? '' : `, version ${playbook.version}`;
  // Playbook text is shown escaped: a playbook from elsewhere must not rewrite the terminal.
  out.result(`${bold(printable(playbook.title))}  ${dim(`(${playbook.id}; cause: ${playbook.cause}${printable(version)})`)}`);
  out.result(printable(playbook.summary));
  if (playbook.triage) {
    for (const [aspect, text] of Object.entries(playbook.triage)) out.result(dim(`  ${`${aspect}:`.padEnd(9)} ${printable(text)}`));
  }
  out.result(dim(printable(playbook.file)));

  let number = 0;
  const total = playbook.phases.reduce((sum, phase) => sum + phase.steps.length, 0);
  playbook.phases.forEach((phase, p) => {
    out.result();
    out.result(bold(`Phase ${p + 1}/${playbook.phases.length}: ${printable(phase.title)}`) + dim(`  [${phase.id}]`));
    for (const step of phase.steps) {
      number += 1;
      const flags = [step.required ? '' : 'optional', step.sensitive ? 'sensitive' : ''].filter(Boolean).join(', ');
      out.result(`  ${String(number).padStart(String(total).length)}. ${printable(step.prompt)}`);
      out.result(dim(`      ${step.id} · ${printable(kindInWords(step))}${flags ? ` · ${flags}` : ''}`));
      if (step.when) out.result(cyan(`      only when ${printable(conditionInWords(step.when))}`));
    }
  });

  out.result();
  out.result(bold('Deadlines'));
  if (playbook.deadlines.length === 0) out.result('  none');
  for (const deadline of playbook.deadlines) {
    const from = deadline.from === 'opened' ? 'the incident opening' : deadline.from;
    out.result(`  ${printable(deadline.title)}` + dim(`  [${deadline.id}]`));
    out.result(dim(`      ${withinInWords(deadline.within)} from ${from}; met by ${deadline.met_by}`));
    if (deadline.source) out.result(dim(`      source: ${printable(deadline.source)}`));
    if (deadline.when) out.result(cyan(`      only when ${printable(conditionInWords(deadline.when))}`));
  }

  out.result();
  out.result(bold('Notices'));
  if (playbook.notices.length === 0) out.result('  none');
  for (const notice of playbook.notices) {
    out.result(`  ${notice.template}` + (notice.when ? cyan(`  when ${printable(conditionInWords(notice.when))}`) : dim('  always')));
  }
  return 0;
}

function kindInWords(step: Step): string {
  switch (step.kind) {
    case 'select':
    case 'multi':
      return `${step.kind}: ${(step.choices ?? []).map((c) => c.value).join(', ')}`;
    case 'checklist':
      return `checklist: ${(step.items ?? []).map((i) => i.id).join(', ')}`;
    case 'number': {
      const bounds = [step.min !== undefined ? `≥ ${step.min}` : '', step.max !== undefined ? `≤ ${step.max}` : '']
        .filter(Boolean)
        .join(', ');
      return `${step.integer ? 'whole number' : 'number'}${bounds ? ` (${bounds})` : ''}`;
    }
    default:
      return step.kind;
  }
}
