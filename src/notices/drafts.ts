/**
 * Drafts: the incident's notices rendered into `drafts/` (SPEC section 5) and logged as
 * `notice.rendered`. A drill's drafts carry a banner; every draft ends with the log's head hash
 * at render time, which `leakctl verify --head` can later prove nothing was cut after.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { DeadlineClock } from '../deadlines/compute.js';
import type { EvidenceLog } from '../evidence/log.js';
import { applyEntry } from '../evidence/state.js';
import type { IncidentState } from '../evidence/state.js';
import { evaluate } from '../playbook/conditions.js';
import type { Playbook } from '../playbook/types.js';
import { answerValues } from '../evidence/state.js';
import { InvalidInput } from '../ui/errors.js';
import { toEml } from './eml.js';
import { createEngine, renderNotice } from './render.js';
import type { RenderContext, RenderedNotice } from './render.js';
import { listTemplateFiles, readTemplate } from './templates.js';
import type { DraftFormat, Template } from './templates.js';

export const DRILL_BANNER = '*** DRILL: THIS IS AN EXERCISE. DO NOT SEND THIS NOTICE. ***';

const ORG_FIELDS = ['name', 'community', 'contact_email', 'dpo_contact', 'website', 'platform'] as const;

export interface RenderInput {
  readonly playbook: Playbook;
  readonly state: IncidentState;
  readonly config: Config;
  readonly templateDirs: readonly string[];
  readonly deadlines: readonly DeadlineClock[];
  readonly now: Date;
}

export function renderContext(input: RenderInput): RenderContext {
  const { state, playbook, config } = input;
  const opened = state.opened!;
  const drill = opened.drill;
  const org: Record<string, unknown> = { ...config.org };
  // A drill must render without a real organisation behind it; a real notice must not.
  if (drill) for (const field of ORG_FIELDS) org[field] ??= `[org.${field}]`;
  return {
    incident: {
      id: state.id,
      title: playbook.title,
      opened_at: opened.at.toISOString(),
      responder: opened.responder,
      drill,
      head_hash: state.head,
    },
    answers: Object.fromEntries(answerValues(state)),
    skipped: [...state.skipped.keys()],
    deadlines: input.deadlines.map((d) => ({
      id: d.id,
      title: d.title,
      due: d.due?.toISOString() ?? null,
      met_at: d.met_at?.toISOString() ?? null,
      status: d.status,
    })),
    org,
    now: input.now.toISOString(),
  };
}

/** The templates a run renders: the playbook's notices whose conditions hold. */
export function noticesDue(playbook: Playbook, state: IncidentState): string[] {
  const answers = answerValues(state);
  return playbook.notices.filter((n) => !n.when || evaluate(n.when, answers)).map((n) => n.template);
}

export function findTemplate(id: string, templateDirs: readonly string[]): Template {
  const files = listTemplateFiles(templateDirs);
  const file = files.get(id);
  if (!file) throw new InvalidInput(`unknown template "${id}"; available: ${[...files.keys()].sort().join(', ')}`);
  return readTemplate(file);
}

/** Render every template first, so that a hole in any of them leaves no draft written. */
export async function renderAll(input: RenderInput, templateIds: readonly string[]): Promise<RenderedNotice[]> {
  const engine = createEngine(input.templateDirs, input.config.timezone ?? 'UTC');
  const context = renderContext(input);
  const rendered: RenderedNotice[] = [];
  for (const id of templateIds) rendered.push(await renderNotice(engine, findTemplate(id, input.templateDirs), context));
  return rendered;
}

/** The full text of one draft in one format. */
export function draftText(notice: RenderedNotice, format: DraftFormat, input: RenderInput): string {
  const { state, config } = input;
  const drill = state.opened!.drill;
  const subject = drill ? `[DRILL - DO NOT SEND] ${notice.subject}` : notice.subject;
  const body = [drill ? DRILL_BANNER : '', notice.body, drill ? DRILL_BANNER : ''].filter(Boolean).join('\n\n');
  const footer = `-- \nleakctl evidence: incident ${state.id}, log head ${state.head ?? '(empty)'} at ${input.now.toISOString()}`;
  switch (format) {
    case 'txt':
      return `${drill ? `${DRILL_BANNER}\n` : ''}Subject: ${subject}\n\n${body}\n\n${footer}\n`;
    case 'md':
      return `# ${subject}\n\n${body}\n\n${footer.replace('-- \n', '---\n\n')}\n`;
    case 'eml':
      return toEml({
        subject,
        body: `${body}\n\n${footer}`,
        date: input.now,
        ...(config.org.contact_email ? { from: config.org.contact_email } : {}),
        headers: { 'X-Leakctl-Incident': state.id, 'X-Leakctl-Log-Head': state.head ?? '' },
      });
  }
}

export interface WrittenDraft {
  readonly template: string;
  readonly file: string;
  readonly sha256: string;
}

/**
 * Write the drafts (0600, atomically: a crash never leaves half a notice) and log each as
 * `notice.rendered`. The head hash in every draft is the one before this batch.
 */
export function writeDrafts(
  notices: readonly RenderedNotice[],
  input: RenderInput,
  incidentDir: string,
  log: EvidenceLog,
  actor: string,
  formats?: readonly DraftFormat[],
): WrittenDraft[] {
  const texts = notices.flatMap((notice) =>
    (formats ?? notice.template.formats).map((format) => ({ notice, format, text: draftText(notice, format, input) })),
  );
  const written: WrittenDraft[] = [];
  for (const { notice, format, text } of texts) {
    const file = join('drafts', `${notice.template.id}.${format}`);
    writePrivateFile(join(incidentDir, file), text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    applyEntry(input.state, log.append('notice.rendered', actor, { template: notice.template.id, file, sha256 }, input.now));
    written.push({ template: notice.template.id, file, sha256 });
  }
  return written;
}

function writePrivateFile(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
