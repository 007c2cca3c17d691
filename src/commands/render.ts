/**
 * `leakctl render INCIDENT`: (re)render the incident's drafts into drafts/ and log them; with
 * `--stdout ID`, print one draft for piping instead (nothing written).
 */
import { join } from 'node:path';
import { loadSettings } from '../config/settings.js';
import { holidaysOf } from '../deadlines/compute.js';
import type { CommonOptions } from '../options.js';
import { draftText, noticesDue, renderAll, writeDrafts } from '../notices/drafts.js';
import type { RenderInput } from '../notices/drafts.js';
import type { DraftFormat } from '../notices/templates.js';
import { commandNow, playbookOfIncident, replayIncident, responderName, withIncidentLog } from '../run/incident.js';
import { existingIncident } from '../run/locate.js';
import { deadlineClocks } from '../run/runner.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';

export interface RenderOptions {
  readonly template?: string[];
  readonly stdout?: string;
  readonly format?: DraftFormat;
  readonly responder?: string;
}

export async function run(options: CommonOptions, id: string, opts: RenderOptions): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const dir = existingIncident(options, id);
  const now = commandNow(options);

  const prepare = async (): Promise<RenderInput> => {
    const { state } = await replayIncident(dir, id);
    const playbook = playbookOfIncident(state, settings, options.cwd, (t) => out.message(t));
    const holidays = holidaysOf(playbook, settings.config);
    return { playbook, state, config: settings.config, templateDirs: settings.templateDirs, deadlines: deadlineClocks(playbook, state, now, holidays), now };
  };

  if (opts.stdout !== undefined) {
    const input = await prepare();
    const [notice] = await renderAll(input, [opts.stdout]);
    options.stdout.write(draftText(notice!, opts.format ?? 'txt', input));
    return 0;
  }
  if (opts.format !== undefined) throw new InvalidInput('--format goes with --stdout ID; drafts written to drafts/ use the formats their template asks for');

  const written = await withIncidentLog(dir, now, async (log) => {
    const input = await prepare();
    const ids = opts.template ?? noticesDue(input.playbook, input.state);
    if (ids.length === 0) return [];
    const notices = await renderAll(input, ids);
    const actor = responderName(opts.responder, undefined, settings.config.responder, options.cwd);
    return writeDrafts(notices, input, dir, log, actor);
  });
  if (options.json) out.json({ incident: id, drafts: written.map((d) => ({ ...d, path: join(dir, d.file) })) });
  else if (written.length === 0) out.message('No notices are due for this incident yet (their conditions do not hold); name one with --template ID.');
  else for (const d of written) out.result(join(dir, d.file));
  return 0;
}
