/**
 * `leakctl render INCIDENT`: (re)render the incident's drafts into drafts/ and log them; with
 * `--stdout ID`, print one draft for piping instead (nothing written).
 */
import { join } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { rulesOf } from '../deadlines/rules.js';
import { commandClock, readIncident, writeIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import { draftText, noticesDue, renderAll } from '../notices/drafts.js';
import type { DraftFormat } from '../notices/templates.js';
import type { CommonOptions } from '../options.js';
import { recordDrafts, renderInputOf } from '../run/drafts.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';

export interface RenderOptions {
  readonly template?: string[];
  readonly stdout?: string;
  readonly format?: DraftFormat;
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
    if (opts.stdout !== undefined) {
      const input = renderInputOf(source, now);
      const [notice] = await renderAll(input, [opts.stdout]);
      // Values in a draft are already shown escaped; this covers the template's own text too. An
      // .eml keeps its CRLF line ends, and its body and headers are MIME-encoded by eml.ts.
      const format = opts.format ?? 'txt';
      const text = draftText(notice!, format, input);
      options.stdout.write(format === 'eml' ? text : printable(text));
      return 0;
    }
    const ids = opts.template ?? noticesDue(playbook, incident.state);
    const written = ids.length === 0 ? [] : await recordDrafts(source, ids, now);
    if (options.json) out.json({ incident: id, drafts: written.map((d) => ({ ...d, path: join(incident.dir, d.file) })) });
    else if (written.length === 0) out.message('No notices are due for this incident yet (their conditions do not hold); name one with --template ID.');
    else for (const d of written) out.result(join(incident.dir, d.file));
  } finally {
    incident.close();
  }
  return 0;
}
