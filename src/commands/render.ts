/**
 * `leakctl render INCIDENT`: (re)render the incident's drafts into drafts/ and log them; with
 * `--stdout ID`, print one draft for piping instead (nothing written).
 */
import { join } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { rulesOf } from '../deadlines/rules.js';
import { commandClock, readIncident, writeIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import { contactWarning, draftText, noticesDue, renderAll } from '../notices/drafts.js';
import type { DraftFormat } from '../notices/templates.js';
import type { CommonOptions } from '../options.js';
import { readiness, recordDrafts, renderInputOf, type WaitingNotice } from '../run/drafts.js';
import { placedSteps, stepStanding } from '../run/steps.js';
import { answerValues } from '../evidence/state.js';
import { conditionInWords } from '../playbook/conditions.js';
import { stepsNamed } from '../playbook/modules.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export interface RenderOptions {
  readonly template?: string[];
  readonly stdout?: string;
  readonly format?: DraftFormat;
  readonly host?: string;
  readonly responder?: string;
}

export async function run(options: CommonOptions, id: string, opts: RenderOptions): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  if (opts.format !== undefined && opts.stdout === undefined) {
    throw new InvalidInput('--format goes with --stdout ID; drafts written to drafts/ use the formats their template asks for');
  }
  const warn = (t: string): void => out.message(t);
  const now = commandClock(options).now();
  const incident = opts.stdout !== undefined ? await readIncident(options, id, warn) : await writeIncident(options, id, settings.config, opts.responder, warn);
  try {
    // Writing drafts records entries: a closed incident is refused before anything is rendered.
    if (opts.stdout === undefined) incident.refuseClosed();
    const playbook = playbookOf(incident.state, { settings, cwd: options.cwd, warn });
    const source = { incident, playbook, settings, rules: rulesOf(playbook, settings) };
    // A notice that needs answers not given yet: which, with their prompts (issue 10).
    const needs = (waiting: readonly WaitingNotice[]): string =>
      waiting
        .map(({ template, steps }) => {
          const lines = steps.map((step) => {
            const placed = placedSteps(playbook).find((p) => p.step.id === step)!;
            const line = `  ${step} (phase ${placed.phaseIndex + 1}, step ${placed.index + 1}): ${printable(placed.step.prompt)}`;
            // The notice needs it, but another answer rules it out (issue 14: a notification
            // answered "not late" that the clock shows was late): say which answer to amend.
            if (placed.step.when && stepStanding(placed.step, incident.state, answerValues(incident.state)) === 'condition_false') {
              const named = stepsNamed(placed.step.when).join(', ');
              return `${line}\n    it does not apply while ${printable(conditionInWords(placed.step.when))} is false; amend that answer first: leakctl amend ${id} ${named.split(', ')[0]}`;
            }
            return line;
          });
          return `${template} needs the answer to ${steps.length === 1 ? 'a step' : `${steps.length} steps`} not answered yet:\n${lines.join('\n')}`;
        })
        .join('\n');
    if (opts.stdout !== undefined) {
      const { waiting } = await readiness(source, [opts.stdout], now);
      if (waiting.length > 0) throw new InvalidInput(`${needs(waiting)}\nAnswer them with: leakctl do ${id} STEP`);
      const input = renderInputOf(source, now);
      const notices = await renderAll(input, [opts.stdout]);
      // A template written once per host: one host's draft, named.
      const hostOf = (n: (typeof notices)[number]) => (n.name ? n.name.slice(n.template.id.length + 1) : undefined);
      const perHost = notices.some((n) => n.name !== undefined);
      if (perHost && (opts.host === undefined || !notices.some((n) => hostOf(n) === opts.host))) {
        const hosts = notices.map(hostOf).join(', ');
        throw new InvalidInput(`${opts.stdout} is written once per host (${hosts}); name one with --host${opts.host === undefined ? '' : ` (not ${printable(opts.host)})`}`);
      }
      if (!perHost && opts.host !== undefined) throw new InvalidInput(`--host goes with a template written once per host; ${opts.stdout} is one draft`);
      const notice = perHost ? notices.find((n) => hostOf(n) === opts.host) : notices[0];
      // Values in a draft are already shown escaped; this covers the template's own text too. An
      // .eml keeps its CRLF line ends, and its body and headers are MIME-encoded by eml.ts.
      const format = opts.format ?? 'txt';
      const text = draftText(notice!, format, input);
      options.stdout.write(format === 'eml' ? text : printable(text));
      return 0;
    }
    const ids = opts.template ?? noticesDue(playbook, incident.state);
    const { ready, waiting } = await readiness(source, ids, now);
    // Named with --template: each must be written, or the command says what it still needs.
    if (opts.template !== undefined && waiting.length > 0) throw new InvalidInput(`${needs(waiting)}\nNothing was written. Answer them with: leakctl do ${id} STEP`);
    const written = ready.length === 0 ? [] : await recordDrafts(source, ready, now);
    if (options.json) {
      out.json({ incident: id, drafts: written.map((d) => ({ ...d, path: join(incident.dir, d.file) })), waiting });
      return 0;
    }
    if (ids.length === 0) out.message('No notices are due for this incident yet (their conditions do not hold); name one with --template ID.');
    for (const d of written) out.result(join(incident.dir, d.file));
    const warning = written.length > 0 ? contactWarning(settings.config, answerValues(incident.state), id) : undefined;
    if (warning) out.message(out.style.yellow(warning));
    if (waiting.length > 0) out.message(`Not written yet:\n${needs(waiting)}\nAnswer them with: leakctl do ${id} STEP, then render again.`);
    else if (written.length > 0) out.message(out.style.dim(`Next: paste a draft into your mail client (or open the .eml), then record when it was sent: leakctl next ${id}`));
  } finally {
    incident.close();
  }
  return 0;
}
