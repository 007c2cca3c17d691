/**
 * `leakctl attach INCIDENT FILE… [--description TEXT] [--from WHERE] [--collected-at WHEN] [--how
 * TOOL] [--collected-by NAME]`: evidence files hashed, copied into the incident and logged with
 * their custody (issue 16): who collected them, from where, when, how, and what they are; each
 * file's original name and modification time are recorded as it is copied. On a terminal, what
 * was not given is asked; in a script, what was not given is left unstated, and said so.
 */
import { resolve } from 'node:path';
import { displayZone, loadSettings } from '../config/settings.js';
import { CUSTODY_OPTIONS, STATED_FIELDS, type StatedField } from '../evidence/custody.js';
import { writeIncident } from '../incident/open.js';
import type { CommonOptions } from '../options.js';
import { askCustody } from '../run/prompts.js';
import { parseMoment } from '../time/moment.js';
import { InvalidInput } from '../ui/errors.js';
import { Output } from '../ui/output.js';
import { printable } from '../ui/text.js';
import { LIMITS } from '../schemas/limits.js';

export interface AttachOptions {
  readonly responder?: string;
  readonly description?: string;
  readonly from?: string;
  readonly collectedAt?: string;
  readonly how?: string;
  readonly collectedBy?: string;
}

export async function run(options: CommonOptions, id: string, files: string[], opts: AttachOptions): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const zone = displayZone(options, settings.config);
  for (const [option, value] of [['--description', opts.description], ['--from', opts.from], ['--how', opts.how], ['--collected-by', opts.collectedBy]] as const) {
    if (value !== undefined && (value.trim() === '' || value.length > LIMITS.textAnswerChars)) throw new InvalidInput(`${option} is ${value.trim() === '' ? 'empty' : `longer than ${LIMITS.textAnswerChars} characters`}; give the text, or leave the option out`);
  }
  const incident = await writeIncident(options, id, settings.config, opts.responder, (t) => out.message(t));
  try {
    const now = incident.clock!.now();
    const readTime = (text: string): ReturnType<typeof parseMoment> => parseMoment(text, now, zone);
    const given: Partial<Record<StatedField, string>> = {
      ...(opts.description !== undefined ? { description: opts.description.trim() } : {}),
      ...(opts.from !== undefined ? { from: opts.from.trim() } : {}),
      ...(opts.how !== undefined ? { how: opts.how.trim() } : {}),
    };
    if (opts.collectedAt !== undefined) {
      const t = readTime(opts.collectedAt);
      if (!t.ok) throw new InvalidInput(`--collected-at: ${t.message}`);
      given.collected_at = t.value;
    }
    const missing = new Set(STATED_FIELDS.filter((f) => given[f] === undefined));
    const asked = missing.size > 0 && options.stdin.isTTY === true ? await askCustody(missing, readTime, { input: options.stdin, output: options.stderr }) : {};
    const stated = { ...given, ...asked };
    const custody = { collected_by: opts.collectedBy?.trim() ?? incident.actor!, ...stated };
    const sources = files.map((file) => resolve(options.cwd, file));
    const { entry, files: copied } = await incident.recordFiles(sources, (stored) => ({ type: 'evidence.attached', data: { files: stored, custody } }));
    if (options.json) {
      out.json(entry);
    } else {
      for (const file of copied) out.result(`${file.sha256}  ${file.bytes} bytes  ${printable(file.original)} → ${file.path}`);
      out.message(`Attached to incident ${id} (entry #${entry.seq}).`);
      const unstated = STATED_FIELDS.filter((f) => stated[f] === undefined);
      if (unstated.length > 0) out.message(out.style.yellow(`Custody not stated: ${unstated.map((f) => `${f.replace('_', ' ')} (${CUSTODY_OPTIONS[f]})`).join(', ')}. Add what you know in a note: leakctl note ${id} "…"`));
      out.message(out.style.dim(`Next: leakctl next ${id}`));
    }
  } finally {
    incident.close();
  }
  return 0;
}
